# essms_billing — Odoo 18.0 addon. `make run`, `make test`, `make bench`: see README.md.
# Odoo 18.0 itself is a prerequisite (importable as `odoo` by $(PYTHON)); everything else is set up here.

PYTHON      ?= python3
# Generated files (odoo.conf, filestore, the addons dir with `essms_billing -> this checkout`) live outside the
# checkout: a link inside it would loop back into itself for every tool that walks the addon.
CHECKOUT_ID := $(shell printf '%s' "$(CURDIR)" | md5sum | cut -c1-8)
BUILD       ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/essms_billing/$(notdir $(CURDIR))-$(CHECKOUT_ID)
ADDONS      := $(BUILD)/addons
ADDON_LINK  := $(ADDONS)/essms_billing
# The demo is an addon of its own (demo_addon/essms_billing_demo): never installed in a customer's database.
DEMO_LINK   := $(ADDONS)/essms_billing_demo
CONF        := $(BUILD)/odoo.conf
ODOO        := $(PYTHON) -m odoo
DEMO_DB     ?= essms_demo
TEST_DB     ?= essms_test
DEMO_CHECK_DB ?= essms_demo_check
HTTP_PORT   ?= 8069
export HTTP_PORT

.PHONY: run test bench lint pot i18n-check create-db clean-demo setup check-odoo python-deps system-deps postgres demo-db test-db test-demo clean

## Set-up ---------------------------------------------------------------------------------------------

setup: check-odoo python-deps system-deps postgres $(CONF) $(DEMO_LINK)

check-odoo:
	@$(PYTHON) tools/odoo_env.py check

python-deps: $(BUILD)/python-deps.stamp

$(BUILD)/python-deps.stamp: requirements.txt
	@mkdir -p $(BUILD)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# Debian packages: Chromium for the browser tours, wkhtmltopdf for PDF reports, poppler to look at them.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v wkhtmltopdf >/dev/null 2>&1 || missing="$$missing wkhtmltopdf"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		if [ "$$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then \
			echo "ERROR: missing$$missing and not root: install them with apt-get." >&2; exit 1; fi; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
			|| { echo "ERROR: could not install$$missing" >&2; exit 1; }; \
	fi

# PostgreSQL: start the local cluster if it is installed and stopped; install it if missing.
postgres:
	@if ! pg_isready -q 2>/dev/null; then \
		if ! command -v pg_ctlcluster >/dev/null 2>&1; then \
			echo "Installing PostgreSQL"; \
			SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
			$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
		fi; \
		for version in $$(ls /etc/postgresql); do pg_ctlcluster --skip-systemctl-redirect $$version main start || true; done; \
		for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q && break; sleep 1; done; \
		pg_isready -q || { echo "ERROR: PostgreSQL is not running and could not be started." >&2; exit 1; }; \
		if [ "$$(id -u)" = 0 ] && ! psql -Atc 'select 1' postgres >/dev/null 2>&1; then \
			su postgres -c "createuser --superuser root" ; fi; \
	fi

$(ADDON_LINK):
	@mkdir -p $(ADDONS)
	@ln -sfn $(CURDIR) $(ADDON_LINK)

$(DEMO_LINK):
	@mkdir -p $(ADDONS)
	@ln -sfn $(CURDIR)/demo_addon/essms_billing_demo $(DEMO_LINK)

$(CONF): tools/odoo_env.py | $(ADDON_LINK)
	@mkdir -p $(BUILD)
	@$(PYTHON) tools/odoo_env.py config $(CONF) $(ADDONS)

## Demo database --------------------------------------------------------------------------------------

# A French database: fr_FR loaded and set for admin, French chart of accounts, demo data.
demo-db: setup oca-sepa
	@if psql -Atc "select 1 from pg_database where datname='$(DEMO_DB)'" postgres | grep -q 1; then \
		echo "Demo database $(DEMO_DB) exists (make clean-demo to rebuild it)"; \
	else \
		$(MAKE) --no-print-directory create-db DB=$(DEMO_DB) DEMO=1; \
	fi

# The modules installed with DEMO=1 (their demo data loaded): the addon, its demo addon and OCA's SEPA direct debit,
# with which the bridge essms_billing_sepa installs itself (its demo, loaded after the demo addon's: the mandates and a
# month's debit order; see `make oca-sepa`). With DEMO=0, MODULES, without any demo data. The benches and the test
# database install the demo addon without its data: its generator makes their beneficiaries.
DEMO_MODULES ?= essms_billing,essms_billing_demo,account_banking_sepa_direct_debit
MODULES     ?= essms_billing
INSTALL     = $(if $(filter 1,$(DEMO)),$(DEMO_MODULES),$(MODULES))

# DB=name DEMO=1|0 [MODULES=a,b]: a fresh database with essms_billing installed, in French.
create-db: setup
	@dropdb --if-exists $(DB)
	@rm -f $(BUILD)/$(DB).log
	@echo "Creating database $(DB) with $(INSTALL) (demo=$(DEMO)) — $(if $(filter 1,$(DEMO)),5 to 10 minutes with the demo data,3 to 8 minutes) on a 2-core machine"
	@start=$$(date +%s); \
	$(ODOO) -c $(CONF) -d $(DB) -i $(INSTALL) --load-language=fr_FR --stop-after-init \
		$(if $(filter 1,$(DEMO)),,--without-demo=all) --logfile=$(BUILD)/$(DB).log \
		|| { tail -50 $(BUILD)/$(DB).log; exit 1; }; \
	if grep -E " (ERROR|CRITICAL) |failed to install" $(BUILD)/$(DB).log; then echo "ERROR: installing $(INSTALL) in $(DB) logged errors (see $(BUILD)/$(DB).log)" >&2; exit 1; fi; \
	for module in $$(echo $(INSTALL) | tr ',' ' '); do \
		psql -Atc "select state from ir_module_module where name='$$module'" $(DB) | grep -qx installed \
			|| { echo "ERROR: $$module is not installed in $(DB) (see $(BUILD)/$(DB).log)" >&2; exit 1; }; \
	done; \
	$(PYTHON) tools/set_french.py $(CONF) $(DB) || exit 1; \
	elapsed=$$(( $$(date +%s) - start )); \
	echo "Database $(DB) created in $$((elapsed / 60)) min $$((elapsed % 60)) s"

run: demo-db
	@echo "Serving http://localhost:$(HTTP_PORT) — database $(DEMO_DB)"
	@echo "  Log in as operateur / operateur for the README's demo walkthrough (the billing and recovery operator);"
	@echo "  directeur / directeur is an establishment's director, admin / admin the administrator (settings)."
	$(ODOO) -c $(CONF) -d $(DEMO_DB) --db-filter='^$(DEMO_DB)$$' --http-port=$(HTTP_PORT) --log-level=info

clean-demo:
	dropdb --if-exists $(DEMO_DB)

## Tests ----------------------------------------------------------------------------------------------

lint: python-deps
	$(PYTHON) -m ruff check .
	cd $(ADDONS) && $(PYTHON) -m pylint --rcfile=$(CURDIR)/.pylintrc essms_billing essms_billing/bridges/essms_billing_sepa
# The demo generator is one model spread over a file per scenario (merged by other branches file by file).
	cd $(ADDONS) && $(PYTHON) -m pylint --rcfile=$(CURDIR)/.pylintrc --disable=consider-merging-classes-inherited \
		essms_billing/demo_addon/essms_billing_demo

# The demo addon without its data: its tests (the generator, the demo's scenarios) run in the main suite.
test-db: setup
	@$(MAKE) --no-print-directory create-db DB=$(TEST_DB) DEMO=0 MODULES=essms_billing,essms_billing_demo

PYTEST := $(PYTHON) -m pytest -p no:cacheprovider --odoo-config=$(CONF) --odoo-http --rootdir=$(ADDON_LINK)

# The demo data must load into a fresh database exactly as `make run` loads it, and the README's "Demo walkthrough"
# must work on it: demo_addon/essms_billing_demo/tests/test_walkthrough.py clicks it in headless Chromium as the operator and the director do
# (the main suite skips those tests: its database has no demo). The database is dropped afterwards, pass or fail.
test-demo: setup oca-sepa
	@$(MAKE) --no-print-directory create-db DB=$(DEMO_CHECK_DB) DEMO=1
	@status=0; $(PYTEST) -p no:logging -s --odoo-database=$(DEMO_CHECK_DB) $(DEMO_LINK)/tests/test_walkthrough.py || status=$$?; \
		dropdb --if-exists $(DEMO_CHECK_DB); exit $$status

# The demo install and its walkthrough run beside the linters, the test database and the main suite (two cores: about
# ten minutes saved), on their own HTTP port and configuration; their log is printed at the end, then the main suite's
# summary line again so that it is the last line. A failure of either fails the target.
WALK_PORT   ?= $(shell echo $$(( $(HTTP_PORT) + 1 )))
WALK_CONF   := $(BUILD)/odoo-walkthrough.conf

test: SHELL := /bin/bash
test: setup oca-sepa
	@set -o pipefail; rm -f $(BUILD)/walkthrough.log $(BUILD)/walkthrough.rc $(BUILD)/main-suite.log $(BUILD)/sepa.log $(BUILD)/sepa.rc; \
	( $(MAKE) --no-print-directory test-demo CONF=$(WALK_CONF) HTTP_PORT=$(WALK_PORT) >$(BUILD)/walkthrough.log 2>&1; \
	  echo $$? >$(BUILD)/walkthrough.rc; \
	  $(MAKE) --no-print-directory test-sepa CONF=$(WALK_CONF) HTTP_PORT=$(WALK_PORT) >$(BUILD)/sepa.log 2>&1; \
	  echo $$? >$(BUILD)/sepa.rc ) & walk_pid=$$!; \
	echo "Demo install and walkthrough started beside the main suite (port $(WALK_PORT), log $(BUILD)/walkthrough.log)"; \
	main=0; $(MAKE) --no-print-directory lint test-db i18n-check || main=$$?; \
	if [ $$main = 0 ]; then \
		$(PYTEST) --odoo-database=$(TEST_DB) $(ADDON_LINK)/tests $(DEMO_LINK)/tests $(PYTEST_ARGS) 2>&1 | tee $(BUILD)/main-suite.log || main=$$?; \
	fi; \
	wait $$walk_pid; walk=$$(cat $(BUILD)/walkthrough.rc 2>/dev/null || echo 1); \
	echo; echo "=== Demo install and README walkthrough (ran beside the main suite) ==="; cat $(BUILD)/walkthrough.log; \
	if [ $$walk != 0 ]; then echo "ERROR: the demo install or its walkthrough failed (above)." >&2; fi; \
	sepa=$$(cat $(BUILD)/sepa.rc 2>/dev/null || echo 1); \
	echo; echo "=== SEPA bridge with OCA's modules (ran after the walkthrough, beside the main suite) ==="; \
	cat $(BUILD)/sepa.log; [ $$sepa = 0 ] || echo "ERROR: the SEPA bridge's install or its tests failed (above)." >&2; \
	if [ $$main != 0 ]; then echo "ERROR: the linters, the test database, the translations or the main suite failed." >&2; fi; \
	echo "Main suite:"; tail -n 1 $(BUILD)/main-suite.log 2>/dev/null || echo "(not run)"; \
	[ $$walk = 0 ] && [ $$main = 0 ] && [ $$sepa = 0 ]

## SEPA direct debit bridge (OCA) ---------------------------------------------------------------------

# bridges/essms_billing_sepa links essms_billing with OCA's SEPA direct debit modules (bank-payment, 18.0). They
# come from PyPI as wheels, downloaded with `pip download --no-deps` at pinned versions and unpacked into
# $(ADDONS): `pip install` would make pip install its own `odoo` 18.0 over the one the machine runs. Unidecode,
# the only Python library they need beyond Odoo's, is a pure-Python wheel installed with --no-deps.
OCA_PACKAGES := odoo-addon-account_banking_sepa_direct_debit==18.0.1.1.1.2 \
	odoo-addon-account_banking_pain_base==18.0.1.2.0.7 odoo-addon-account_banking_mandate==18.0.1.2.2.1 \
	odoo-addon-account_payment_order==18.0.1.2.9 odoo-addon-account_payment_partner==18.0.1.0.5.7 \
	odoo-addon-account_payment_mode==18.0.1.0.2.8
OCA_PYTHON_DEPS := Unidecode==1.4.0
OCA_DIR     := $(BUILD)/oca
SEPA_LINK   := $(ADDONS)/essms_billing_sepa
SEPA_TEST_DB ?= $(TEST_DB)_sepa

.PHONY: oca-sepa sepa-test-db test-sepa

oca-sepa: setup $(BUILD)/oca-sepa.stamp

$(BUILD)/oca-sepa.stamp: Makefile
	@rm -rf $(OCA_DIR) && mkdir -p $(OCA_DIR)/wheels $(OCA_DIR)/unpacked
	@$(PYTHON) -m pip download --quiet --disable-pip-version-check --no-deps -d $(OCA_DIR)/wheels \
		$(OCA_PACKAGES) $(OCA_PYTHON_DEPS)
	@for wheel in $(OCA_DIR)/wheels/odoo_addon_*.whl; do \
		$(PYTHON) -m zipfile -e $$wheel $(OCA_DIR)/unpacked || exit 1; done
	@for module in $(OCA_DIR)/unpacked/odoo/addons/*; do \
		rm -rf $(ADDONS)/$$(basename $$module); mv $$module $(ADDONS)/ || exit 1; done
	@$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps $(OCA_DIR)/wheels/[Uu]nidecode-*.whl
	@ln -sfn $(CURDIR)/bridges/essms_billing_sepa $(SEPA_LINK)
	@$(PYTHON) -c "import odoo.release, unidecode; assert odoo.release.version_info[:2] == (18, 0), odoo.release.version" \
		|| { echo "ERROR: import odoo is broken after unpacking the OCA modules" >&2; exit 1; }
	@echo "OCA SEPA modules unpacked into $(ADDONS): $$(ls $(OCA_DIR)/wheels | tr '\n' ' ')"
	@touch $@

# A database of its own: essms_billing, the OCA modules and the bridge (the main suite's keeps essms_billing alone).
sepa-test-db: oca-sepa
	@dropdb --if-exists $(SEPA_TEST_DB)
	@rm -f $(BUILD)/$(SEPA_TEST_DB).log
	@start=$$(date +%s); \
	$(ODOO) -c $(CONF) -d $(SEPA_TEST_DB) -i essms_billing,account_banking_sepa_direct_debit --without-demo=all \
		--load-language=fr_FR --stop-after-init --logfile=$(BUILD)/$(SEPA_TEST_DB).log \
		|| { tail -50 $(BUILD)/$(SEPA_TEST_DB).log; exit 1; }; \
	if grep -E " (ERROR|CRITICAL) |failed to install" $(BUILD)/$(SEPA_TEST_DB).log; then \
		echo "ERROR: installing the SEPA bridge in $(SEPA_TEST_DB) logged errors" >&2; exit 1; fi; \
	psql -Atc "select state from ir_module_module where name='essms_billing_sepa'" $(SEPA_TEST_DB) | grep -qx installed \
		|| { echo "ERROR: essms_billing_sepa was not installed automatically" >&2; exit 1; }; \
	echo "Database $(SEPA_TEST_DB) (essms_billing + OCA SEPA + bridge) created in $$(( $$(date +%s) - start )) s"

# The bridge's tests, and its translations, on that database.
test-sepa: sepa-test-db
	@$(ODOO) -c $(CONF) -d $(SEPA_TEST_DB) --i18n-export=$(BUILD)/essms_billing_sepa.pot --modules=essms_billing_sepa \
		--stop-after-init --logfile=/dev/null
	$(PYTHON) tools/check_po.py --committed bridges/essms_billing_sepa/i18n/essms_billing_sepa.pot \
		$(BUILD)/essms_billing_sepa.pot bridges/essms_billing_sepa/i18n/fr.po
	@status=0; $(subst --rootdir=$(ADDON_LINK),--rootdir=$(SEPA_LINK),$(PYTEST)) --odoo-database=$(SEPA_TEST_DB) $(SEPA_LINK)/tests || status=$$?; \
		dropdb --if-exists $(SEPA_TEST_DB); exit $$status

## Benchmark ------------------------------------------------------------------------------------------

BENCH_DB ?= essms_bench
BENCH_ARGS ?=

# Not a test: a fresh database (the script calls `make create-db DEMO=0`), 2 000 generated beneficiaries in 10
# establishments, two months billed (fresh, then warm) and timed against Odoo's own account.move create + post
# of the same invoices. Prints the figures, their ratio and MISSED for a missed target; fails only if it cannot
# run. BENCH_ARGS="--beneficiaries 200 --establishments 3", "--fresh", "--warm" (no new database): tools/bench.py.
bench: setup
	$(PYTHON) tools/bench.py $(CONF) --database $(BENCH_DB) $(BENCH_ARGS)
	$(PYTHON) tools/bench_portal.py $(CONF) --database $(BENCH_DB) --reuse
	$(PYTHON) tools/bench_ageing.py $(CONF) --database $(BENCH_DB) --keep
	$(PYTHON) tools/bench_dashboard.py $(CONF) --database $(BENCH_DB) --reuse
	$(PYTHON) tools/bench_remittance.py $(CONF) --database $(BENCH_DB)_remittance
	$(PYTHON) tools/bench_dunning.py $(CONF) --database $(BENCH_DB)
	$(PYTHON) tools/bench_reciprocity.py $(CONF) --database $(BENCH_DB) --reuse
	$(PYTHON) tools/bench_desk.py $(CONF) --database $(BENCH_DB) --reuse

## Peers in the same run (OCA) ------------------------------------------------------------------------

# OCA's account_credit_control, the nearest peer of the dunning proposal, timed on the same generated invoices as
# tools/bench_dunning.py, in a database of its own. It comes from PyPI as a pinned 18.0 wheel, downloaded with
# `pip download --no-deps` and unpacked into $(ADDONS) like the SEPA modules (it depends on base, account and mail
# only; nothing but its own database installs it). Not part of `make test` nor of `make bench`: at full size the
# peer takes ten minutes on an idle machine, 45 under a load of 15. PEERS_ARGS="--debtors 1000 --invoices 5000" runs a smaller one;
# "--reuse" keeps the database already made (tools/bench_peers.py --help).
PEER_PACKAGES := odoo-addon-account_credit_control==18.0.2.0.2.6
PEER_DIR    := $(BUILD)/oca-peers
PEERS_DB    ?= $(BENCH_DB)_peers
PEERS_ARGS  ?=

.PHONY: oca-peers bench-peers

oca-peers: setup $(BUILD)/oca-peers.stamp

$(BUILD)/oca-peers.stamp: Makefile
	@rm -rf $(PEER_DIR) && mkdir -p $(PEER_DIR)/wheels $(PEER_DIR)/unpacked
	@$(PYTHON) -m pip download --quiet --disable-pip-version-check --no-deps -d $(PEER_DIR)/wheels $(PEER_PACKAGES)
	@for wheel in $(PEER_DIR)/wheels/odoo_addon_*.whl; do \
		$(PYTHON) -m zipfile -e $$wheel $(PEER_DIR)/unpacked || exit 1; done
	@for module in $(PEER_DIR)/unpacked/odoo/addons/*; do \
		rm -rf $(ADDONS)/$$(basename $$module); mv $$module $(ADDONS)/ || exit 1; done
	@$(PYTHON) -c "import odoo.release; assert odoo.release.version_info[:2] == (18, 0), odoo.release.version" \
		|| { echo "ERROR: import odoo is broken after unpacking the OCA modules" >&2; exit 1; }
	@echo "OCA peer modules unpacked into $(ADDONS): $$(ls $(PEER_DIR)/wheels | tr '\n' ' ')"
	@touch $@

bench-peers: oca-peers
	$(PYTHON) tools/bench_peers.py $(CONF) --database $(PEERS_DB) $(PEERS_ARGS)
# Not in `make bench` nor `make test`: a run's invoicing by Odoo's own job runners, one job process against two
# (real servers, --workers=2 --max-cron-threads=1|2, on copies of one computed month), counting duplicates and
# missing invoices after. Default 20 000 beneficiaries (and 2 000 first, to tell whether the month is linear): hours
# on a loaded machine. BENCH_WORKERS_ARGS="--beneficiaries 2000 --reference 200": tools/bench_workers.py.
BENCH_WORKERS_ARGS ?=
.PHONY: bench-workers
bench-workers: setup
	$(PYTHON) tools/bench_workers.py $(CONF) --database $(BENCH_DB)_workers $(BENCH_WORKERS_ARGS)

## Translations ---------------------------------------------------------------------------------------

DEMO_I18N   := demo_addon/essms_billing_demo/i18n

# Regenerate i18n/essms_billing.pot (and the demo addon's) from the test database (make test-db first) and list
# what fr.po lacks.
pot: setup
	$(ODOO) -c $(CONF) -d $(TEST_DB) --i18n-export=i18n/essms_billing.pot --modules=essms_billing --stop-after-init
	$(ODOO) -c $(CONF) -d $(TEST_DB) --i18n-export=$(DEMO_I18N)/essms_billing_demo.pot --modules=essms_billing_demo \
		--stop-after-init
	$(PYTHON) tools/check_po.py i18n/essms_billing.pot
	$(PYTHON) tools/check_po.py --committed $(DEMO_I18N)/essms_billing_demo.pot $(DEMO_I18N)/essms_billing_demo.pot \
		$(DEMO_I18N)/fr.po

# Every user-facing string of the installed addon must be in the .pot and translated in fr.po.
i18n-check: setup
	@$(ODOO) -c $(CONF) -d $(TEST_DB) --i18n-export=$(BUILD)/essms_billing.pot --modules=essms_billing --stop-after-init
	$(PYTHON) tools/check_po.py $(BUILD)/essms_billing.pot
	@$(ODOO) -c $(CONF) -d $(TEST_DB) --i18n-export=$(BUILD)/essms_billing_demo.pot --modules=essms_billing_demo \
		--stop-after-init
	$(PYTHON) tools/check_po.py --committed $(DEMO_I18N)/essms_billing_demo.pot $(BUILD)/essms_billing_demo.pot \
		$(DEMO_I18N)/fr.po

clean:
	rm -rf $(BUILD)
