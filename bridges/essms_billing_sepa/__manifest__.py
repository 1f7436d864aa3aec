{
    "name": "ESSMS Billing — SEPA direct debit",
    "summary": "Residents' invoices collected by SEPA direct debit with OCA's mandates and debit orders (pain.008)",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "essms_billing developers",
    "license": "LGPL-3",
    "depends": [
        "essms_billing",
        "account_banking_sepa_direct_debit",
    ],
    "data": [
        "security/essms_billing_sepa_security.xml",
        "views/essms_billing_run_views.xml",
    ],
    "demo": ["demo/essms_billing_sepa_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "essms_billing_sepa/static/src/tours/*.js",
        ],
    },
    "auto_install": True,
    "installable": True,
}
