"""`make run` as a newcomer types it: the port given on the command line is the one served, the banner names the
walkthrough's login, the time announced for a database is measured, not guessed (plain pytest, no database)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ADDON = Path(__file__).resolve().parent.parent


def dry_run(*args):
    """What make would run (``-n``), with the database set-up taken as done (``-o``)."""
    return subprocess.run(
        ["make", "-n", "-o", "demo-db", "-o", "setup", *args], cwd=ADDON, capture_output=True, text=True, check=True,
    ).stdout


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_run_serves_the_port_of_the_command_line():
    out = dry_run("run", "HTTP_PORT=8070", "DEMO_DB=essms_demo_x")
    served = [line for line in out.splitlines() if "-m odoo" in line]
    assert len(served) == 1 and "--http-port=8070" in served[0], out
    assert "http://localhost:8070" in out


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_run_banner_names_the_walkthrough_login():
    out = dry_run("run", "DEMO_DB=essms_demo_x")
    assert "operateur / operateur" in out and "admin / admin" in out, out


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_database_creation_prints_its_measured_time():
    out = dry_run("create-db", "DB=essms_x", "DEMO=1")
    assert "about a minute" not in out
    assert "created in" in out and "date +%s" in out, out


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_bench_peers_unpacks_the_pinned_peer_and_keeps_it_out_of_the_other_databases(tmp_path):
    out = dry_run("bench-peers", "BUILD=%s" % tmp_path, "BENCH_DB=essms_bench_x")
    download = [line for line in out.splitlines() if "pip download" in line]
    assert len(download) == 1 and "--no-deps" in download[0], out
    assert "odoo-addon-account_credit_control==18.0." in download[0], out
    assert "import odoo.release" in out, out
    assert "tools/bench_peers.py %s/odoo.conf --database essms_bench_x_peers" % tmp_path in out, out
    # Neither the test database nor `make bench` install or time the peer.
    for target in (("create-db", "DB=essms_x", "DEMO=0"), ("bench",)):
        other = dry_run(*target, "BUILD=%s" % tmp_path).replace(str(tmp_path), "BUILD")
        assert "credit_control" not in other and "bench_peers" not in other and "oca-peers" not in other, other
