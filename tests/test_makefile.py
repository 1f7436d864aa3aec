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


def installed_modules(out):
    """The ``-i`` argument of the Odoo command that creates a database, and whether it loads demo data."""
    [command] = [line for line in out.replace("\\\n", " ").splitlines() if "-m odoo" in line and " -i " in line]
    return command.split(" -i ", 1)[1].split()[0], "--without-demo=all" not in command


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_the_demo_database_installs_the_demo_addon_with_its_data():
    """The demo is an addon of its own: `make run` (create-db DEMO=1) installs it beside essms_billing."""
    assert installed_modules(dry_run("create-db", "DB=essms_x", "DEMO=1")) == (
        "essms_billing,essms_billing_demo,account_banking_sepa_direct_debit", True)
    out = dry_run("create-db", "DB=essms_x", "DEMO=1", "DEMO_MODULES=essms_billing,essms_billing_demo,other")
    assert installed_modules(out) == ("essms_billing,essms_billing_demo,other", True)


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_a_database_without_demo_has_the_production_addon_alone():
    assert installed_modules(dry_run("create-db", "DB=essms_x", "DEMO=0")) == ("essms_billing", False)


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_the_test_and_bench_databases_have_the_generator_without_demo_data():
    """The test database and the benches' need the demo addon's generator, not its data."""
    out = dry_run("test-db", "TEST_DB=essms_x")
    assert installed_modules(out) == ("essms_billing,essms_billing_demo", False), out
    bench = (ADDON / "tools" / "bench.py").read_text()
    assert '"MODULES=essms_billing,essms_billing_demo"' in bench


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_demo_database_installs_the_sepa_direct_debit_and_the_test_database_does_not():
    demo = [line for line in dry_run("create-db", "DB=essms_x", "DEMO=1").splitlines() if "-m odoo" in line]
    assert "-i essms_billing,essms_billing_demo,account_banking_sepa_direct_debit " in demo[0], demo
    plain = [line for line in dry_run("create-db", "DB=essms_x", "DEMO=0").splitlines() if "-m odoo" in line]
    assert "-i essms_billing " in plain[0] and "sepa" not in plain[0], plain
    assert "oca-sepa" in subprocess.run(["make", "-n", "-p", "-o", "setup", "test-demo"], cwd=ADDON,
                                        capture_output=True, text=True).stdout.split("\ntest-demo:")[1].splitlines()[0]
