# The demo of essms_billing, generated relative to the installation day, and the generator the benchmarks use:
# never installed in a customer's database.
{
    "name": "ESSMS Billing — Demo",
    "summary": "Données de démonstration de la facturation ESSMS : une association des Pyrénées-Orientales, "
    "ses établissements, ses résidents et une année d'activité facturée et recouvrée",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "essms_billing developers",
    "license": "LGPL-3",
    "depends": [
        "essms_billing",
    ],
    "demo": [
        "demo/essms_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "essms_billing_demo/static/src/tours/*.js",
        ],
    },
    "installable": True,
}
