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
def test_demo_database_installs_the_sepa_direct_debit_and_the_test_database_does_not():
    demo = [line for line in dry_run("create-db", "DB=essms_x", "DEMO=1").splitlines() if "-m odoo" in line]
    assert "-i essms_billing,account_banking_sepa_direct_debit " in demo[0], demo
    plain = [line for line in dry_run("create-db", "DB=essms_x", "DEMO=0").splitlines() if "-m odoo" in line]
    assert "-i essms_billing " in plain[0] and "sepa" not in plain[0], plain
    assert "oca-sepa" in subprocess.run(["make", "-n", "-p", "-o", "setup", "test-demo"], cwd=ADDON,
                                        capture_output=True, text=True).stdout.split("\ntest-demo:")[1].splitlines()[0]
