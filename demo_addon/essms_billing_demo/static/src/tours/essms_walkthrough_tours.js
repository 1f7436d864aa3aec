/** @odoo-module **/

/**
 * The README's "Demo walkthrough", clicked as the operator (and the director of the foyer de vie) does it, on the
 * demo database as `make run` installs it: French, the demo generated relative to the day of installation, the
 * last complete month (M) left to bill. One tour per section; tests/test_walkthrough.py runs them in the order of
 * the README and checks in the database what the clicks did. Nothing is prepared by code: the tours start from
 * the demo as it is installed.
 *
 * Triggers rely on menu xml ids, field names, button names and the demo's names (French proper nouns), never on
 * the labels of the interface, so that a translation fix does not break them. Dates are typed in the user's
 * format.
 */

import { registry } from "@web/core/registry";
import { formatDate } from "@web/core/l10n/dates";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const { DateTime } = luxon;

const FOYER_VIE = "Foyer de vie Les Micocouliers";
const FAM = "Foyer d'accueil médicalisé Le Canigou";
const FOYER_HEBERGEMENT = "Foyer d'hébergement Les Albères";
const ESTABLISHMENTS = [
    [FOYER_VIE, "Micocouliers"],
    [FAM, "Canigou"],
    [FOYER_HEBERGEMENT, "Albères"],
];
const CD66 = "Département des Pyrénées-Orientales";
// The time a step that waits for a server action (invoicing a month, posting an advice) may take on a loaded
// 2-core machine; the tour's default is 10 s.
const SLOW = 60000;  // the most a tour step may wait

/** M: the last complete month, as the README calls it, typed in the user's date format. */
function monthM() {
    return formatDate(DateTime.local().startOf("month").minus({ months: 1 }));
}

function menu(xmlid) {
    return `.o_main_navbar [data-menu-xmlid="essms_billing.${xmlid}"]`;
}

function openMenu(topXmlid, xmlid, description, listColumn) {
    const steps = [
        {
            content: `Open the menu of ${description}`,
            trigger: menu(topXmlid),
            run: "click",
        },
        {
            content: `Open ${description}`,
            trigger: `.dropdown-item[data-menu-xmlid="essms_billing.${xmlid}"]`,
            run: "click",
        },
    ];
    if (listColumn) {
        // Under load the previous screen may still be shown: its "New" would create something else.
        steps.push({
            content: `Wait for the list of ${description}`,
            trigger: `.o_list_renderer th[data-name="${listColumn}"]`,
        });
    }
    return steps;
}

function openApp() {
    return [
        ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
        {
            content: "The app is open",
            trigger: menu("menu_essms_referential"),
        },
    ];
}

function stateIs(state) {
    return `.o_form_view .o_statusbar_status button[data-value="${state}"].o_arrow_button_current`;
}

function clickButton(name, description) {
    return {
        content: description,
        trigger: `body:not(:has(.modal)) .o_form_view .o_statusbar_buttons button[name="${name}"]`,
        run: "click",
    };
}

/** Pick ``name`` in the many2one/many2many field ``field`` by typing ``search``, as a person does. */
function pick(field, name, search, scope = ".o_form_view") {
    return [
        {
            content: `Look for ${name}`,
            trigger: `${scope} .o_field_widget[name="${field}"] input`,
            run: `edit ${search}`,
        },
        {
            content: `Pick ${name}`,
            trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains("${name}")`,
            run: "click",
        },
    ];
}

/** Ask tests/test_walkthrough.py for a screenshot of the page as it is now, then leave it a moment to take it. */
function shot(name) {
    return {
        content: `Screenshot ${name}`,
        trigger: "body",
        async run() {
            console.log(`essms-screenshot:${name}`);
            await new Promise((resolve) => setTimeout(resolve, 400));
        },
    };
}

/** No error dialog is open (a server error or a warning the person would have to read). */
const NO_ERROR = {
    content: "No error is shown",
    trigger: "body:not(:has(.o_error_dialog)):not(:has(.modal .o_dialog_error))",
};

/** Create the statement of M of ``establishment`` from an open list of statements, save it and submit it. */
function createAndSubmitStatement(establishment, search, { openDropdown = false } = {}) {
    const steps = [
        {
            content: "New statement",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
    ];
    if (openDropdown) {
        // The field offers the establishments before anything is typed (issue 11: it offered none).
        steps.push(
            {
                content: "Open the establishment's list",
                trigger: '.o_form_view .o_field_widget[name="establishment_id"] input',
                run: "click",
            },
            {
                content: `${establishment} is offered`,
                trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains("${establishment}")`,
            },
            shot(`establishments_offered_${search.normalize("NFD").replace(/[^A-Za-z]/g, "")}`),
            {
                content: `Pick ${establishment}`,
                trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains("${establishment}")`,
                run: "click",
            }
        );
    } else {
        steps.push(...pick("establishment_id", establishment, search));
    }
    steps.push(
        {
            content: "The establishment is chosen",
            trigger: `.o_form_view .o_field_widget[name="establishment_id"] input:value("${establishment}")`,
        },
        {
            content: "Type the 1st of M",
            trigger: '.o_form_view .o_field_widget[name="period_start"] input',
            run: `edit ${monthM()} && press Enter`,
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The residents' days are listed",
            timeout: SLOW,
            trigger: '.o_form_view .o_field_widget[name="line_ids"] .o_data_row td[name="beneficiary_id"]',
        },
        shot(`statement_${search.normalize("NFD").replace(/[^A-Za-z]/g, "")}`),
        {
            content: "No anomaly blocks it",
            trigger: '.o_form_view .o_field_widget[name="blocking_count"]:contains(/^\\s*0\\s*$/)',
        },
        clickButton("action_submit", "Submit it (Transmettre)"),
        {
            content: "It is submitted",
            trigger: stateIs("submitted"),
        },
        NO_ERROR
    );
    return steps;
}

// 1. The director of the foyer de vie makes and submits its statement of M.
registry.category("web_tour.tours").add("essms_walk_statement_director", {
    url: "/odoo",
    steps: () => [
        ...openApp(),
        ...openMenu("menu_essms_referential", "essms_activity_statement_menu", "the statements", "blocking_count"),
        ...createAndSubmitStatement(FOYER_VIE, "Micocouliers", { openDropdown: true }),
    ],
});

// 1-2. The operator makes the two others, submits them and validates the three.
registry.category("web_tour.tours").add("essms_walk_statements_operator", {
    url: "/odoo",
    steps: () => {
        const steps = [...openApp()];
        for (const [establishment, search] of [
            [FAM, "Canigou"],
            [FOYER_HEBERGEMENT, "Albères"],
        ]) {
            steps.push(
                ...openMenu("menu_essms_billing", "essms_activity_statement_menu_operator", "the statements",
                    "blocking_count"),
                ...createAndSubmitStatement(establishment, search, { openDropdown: establishment === FAM }),
                clickButton("action_validate", "Validate it"),
                { content: "It is validated", trigger: stateIs("validated"), timeout: SLOW },
                NO_ERROR
            );
        }
        steps.push(
            ...openMenu("menu_essms_billing", "essms_activity_statement_menu_operator", "the statements",
                "blocking_count"),
            {
                content: "Open the foyer de vie's statement its director submitted",
                trigger: `.o_list_view .o_data_row:has(td[name="establishment_id"]:contains("${FOYER_VIE}")):has(td[name="state"] .text-bg-warning) td[name="establishment_id"]`,
                run: "click",
            },
            { content: "It is submitted", trigger: stateIs("submitted"), timeout: SLOW },
            clickButton("action_validate", "Validate it"),
            { content: "It is validated", trigger: stateIs("validated"), timeout: SLOW },
            NO_ERROR
        );
        return steps;
    },
});

// 3-4. The billing run of M: compute, read a line, invoice, find the invoices.
registry.category("web_tour.tours").add("essms_walk_run", {
    url: "/odoo",
    steps: () => {
        const steps = [
            ...openApp(),
            ...openMenu("menu_essms_billing", "essms_billing_run_menu", "the billing runs", "establishment_ids"),
            {
                content: "New run",
                trigger: ".o_control_panel_main_buttons .o_list_button_add",
                run: "click",
            },
            {
                content: "Type the month M",
                trigger: '.o_form_view .o_field_widget[name="period_start"] input',
                run: `edit ${monthM()} && press Enter`,
            },
        ];
        for (const [establishment, search] of ESTABLISHMENTS) {
            steps.push(...pick("establishment_ids", establishment, search), {
                content: `${establishment} is chosen`,
                trigger: `.o_form_view .o_field_widget[name="establishment_ids"] .o_tag:contains("${establishment}")`,
            });
        }
        steps.push(
            {
                content: "Compute",
                trigger: '.o_form_view .o_statusbar_buttons button[name="action_compute"].btn-primary',
                run: "click",
            },
            { content: "The run is computed", trigger: stateIs("computed"), timeout: SLOW },
            NO_ERROR,
            shot("run_computed"),
            {
                content: "Open a line of the département",
                trigger: `.o_field_widget[name="line_ids"] .o_data_row:has(td[name="payer_id"]:contains("${CD66}")) td[name="beneficiary_id"]`,
                run: "click",
            },
            {
                content: "Its calculation is explained",
                trigger: '.modal .o_field_widget[name="explanation"]:contains(/\\d/)',
            },
            shot("run_line"),
            {
                content: "Close the line",
                trigger: ".modal .modal-header .btn-close",
                run: "click",
            },
            clickButton("action_invoice", "Create the invoices"),
            {
                content: "Confirm",
                trigger: ".modal-footer .btn-primary",
                run: "click",
            },
            { content: "The run is invoiced", trigger: stateIs("invoiced"), timeout: SLOW },
            NO_ERROR,
            shot("run_invoiced"),
            {
                content: "Open its invoices",
                trigger: '.o_form_view .o-form-buttonbox button[name="action_view_moves"]',
                run: "click",
            },
            {
                content: "The département's invoices are listed",
                trigger: `.o_list_view .o_data_row:contains("${CD66}")`,
            }
        );
        return steps;
    },
});

// 4. The invoices of M in Billing › Customer invoices, one of the département and one of a resident printed.
registry.category("web_tour.tours").add("essms_walk_invoices", {
    url: "/odoo",
    steps: () => {
        const steps = [
            ...openApp(),
            ...openMenu("menu_essms_billing", "menu_essms_billing_invoices", "the customer invoices", "amount_untaxed_in_currency_signed"),
        ];
        for (const [description, name, row] of [
            ["a département's invoice", "invoice_departement", `.o_list_view .o_data_row:has(td[name="invoice_partner_display_name"]:contains("${CD66}"))`],
            ["an invoice of a resident, a family or a guardian", "invoice_private", `.o_list_view .o_data_row:not(:has(td[name="invoice_partner_display_name"]:contains(Département)))`],
        ]) {
            steps.push(
                {
                    content: `Open ${description}`,
                    trigger: `${row} td[name="invoice_partner_display_name"]`,
                    run: "click",
                },
                { content: "It is posted", trigger: stateIs("posted"), timeout: SLOW },
                shot(name),
                {
                    content: "Print it",
                    trigger: '.o_form_view .o_statusbar_buttons button[name="action_print_pdf"]:visible',
                    run: "click",
                },
                {
                    content: "The PDF is downloaded, without an error",
            timeout: SLOW,
                    trigger: 'body:not(:has(.o_error_dialog)) .o_form_view .o_statusbar_buttons button[name="action_print_pdf"]:enabled',
                },
                {
                    content: "Back to the list",
                    trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item:first-child a",
                    run: "click",
                },
                {
                    content: "The list is back",
                    trigger: '.o_list_renderer th[data-name="amount_untaxed_in_currency_signed"]',
                }
            );
        }
        return steps;
    },
});

// Send the month to the département: the CD66 portal export of M.
registry.category("web_tour.tours").add("essms_walk_portal_export", {
    url: "/odoo",
    steps: () => {
        const steps = [
            ...openApp(),
            ...openMenu("menu_essms_billing", "essms_portal_export_menu", "the portal export"),
            {
                content: "The month offered is M",
                trigger: `.modal .o_field_widget[name="period_start"] input:value(${monthM()})`,
            },
            ...pick("payer_id", CD66, "Pyrénées-Orientales", ".modal"),
            {
                content: "The département is chosen",
                trigger: `.modal .o_field_widget[name="payer_id"] input:value("${CD66}")`,
            },
            ...pick("layout_id", "CD66", "CD66", ".modal"),
            {
                content: "The CD66's layout is chosen",
                trigger: '.modal .o_field_widget[name="layout_id"] input:value(/CD66/)',
            },
        ];
        for (const [establishment, search] of ESTABLISHMENTS) {
            steps.push(...pick("establishment_ids", establishment, search, ".modal"), {
                content: `${establishment} is chosen`,
                trigger: `.modal .o_field_widget[name="establishment_ids"] .o_tag:contains("${establishment}")`,
            });
        }
        steps.push(
            {
                content: "Export",
                trigger: '.modal .modal-footer button[name="action_export"]',
                run: "click",
            },
            {
                content: "The file is there",
            timeout: SLOW,
                trigger: '.modal .o_field_widget[name="file"] a, .modal .o_field_widget[name="file"] button',
            },
            {
                content: "The residents of other départements and the pending files are listed as left out",
                trigger: '.modal .o_field_widget[name="left_out"]:contains(/\\w/)',
            },
            shot("portal_export"),
            NO_ERROR,
            {
                content: "Close",
                trigger: ".modal .modal-footer .btn-secondary",
                run: "click",
            },
            {
                content: "The dialog is closed",
                trigger: "body:not(:has(.modal))",
            }
        );
        return steps;
    },
});

// A payment advice to check and post: the CD66's last advice, imported by the demo, not posted.
registry.category("web_tour.tours").add("essms_walk_advice", {
    url: "/odoo",
    steps: () => [
        ...openApp(),
        ...openMenu("menu_essms_payments", "essms_remittance_menu", "the payment advices", "amount_total"),
        {
            content: "Open the CD66's advice waiting to be posted",
            trigger: `.o_list_view .o_data_row:has(td[name="partner_id"]:contains("${CD66}")):has(td[name="state"] .text-bg-warning) td[name="partner_id"]`,
            run: "click",
        },
        { content: "It is checked", trigger: stateIs("checked"), timeout: SLOW },
        {
            content: "Its file is there",
            trigger:
                '.o_form_view .o_field_widget[name="file"]:contains(/avis_paiement_cd66/), ' +
                '.o_form_view .o_field_widget[name="file"] input:value(/avis_paiement_cd66/)',
        },
        {
            content: "A line pays an invoice exactly",
            trigger: '.o_field_widget[name="line_ids"] .o_data_row td[name="status"] .text-bg-success',
        },
        {
            content: "A line pays an invoice in part",
            trigger: '.o_field_widget[name="line_ids"] .o_data_row td[name="status"] .text-bg-info',
        },
        {
            content: "A line is unknown or already paid",
            trigger: '.o_field_widget[name="line_ids"] .o_data_row td[name="status"] .text-bg-warning',
        },
        {
            content: "The bank statement line of the transfer is found",
            trigger:
                '.o_form_view .o_field_widget[name="statement_line_id"]:contains(/\\w/), ' +
                '.o_form_view .o_field_widget[name="statement_line_id"] input:value(/\\w/)',
        },
        shot("advice_preview"),
        clickButton("action_post", "Post (Comptabiliser)"),
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        { content: "The advice is posted", trigger: stateIs("posted"), timeout: SLOW },
        NO_ERROR,
        {
            content: "Its payment is there",
            trigger: '.o_form_view .o-form-buttonbox button[name="action_open_payment"]',
        },
    ],
});

// Remind what is overdue: a new dunning run, its proposal, a letter read, the run sent.
registry.category("web_tour.tours").add("essms_walk_dunning", {
    url: "/odoo",
    steps: () => [
        ...openApp(),
        ...openMenu("menu_essms_recovery", "essms_dunning_run_menu", "the dunning runs", "letter_count"),
        {
            content: "New run",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        clickButton("action_propose", "Propose the letters"),
        { content: "The proposal is to review", trigger: stateIs("review"), timeout: SLOW },
        NO_ERROR,
        {
            content: "The Département de l'Hérault has a letter",
            trigger: '.o_field_widget[name="letter_ids"] .o_data_row:contains(Hérault)',
        },
        {
            content: "Stéphane Petit, under curatelle, has his letter",
            trigger: '.o_field_widget[name="letter_ids"] .o_data_row:contains(Stéphane Petit)',
        },
        {
            content: "The mandataire service has one letter for the people it represents",
            trigger: '.o_field_widget[name="letter_ids"] .o_data_row:contains(ATI 66)',
        },
        shot("dunning_review"),
        clickButton("action_send", "Send"),
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The run is being sent",
            timeout: SLOW,
            trigger: `${stateIs("sending")}, ${stateIs("sent")}`,
        },
        NO_ERROR,
    ],
});

// The recovery dashboard: the figures, the workbook, the analysis of the invoices.
registry.category("web_tour.tours").add("essms_walk_dashboard", {
    url: "/odoo",
    steps: () => [
        ...openApp(),
        ...openMenu("menu_essms_reporting", "essms_recovery_dashboard_menu", "the recovery dashboard"),
        {
            content: "The outstanding amount is shown",
            timeout: SLOW,
            trigger: '.o_form_view .o_field_widget[name="amount_outstanding"]:contains(/\\d/)',
        },
        {
            content: "and the recovery rate",
            trigger: '.o_form_view .o_field_widget[name="recovery_rate"]:contains(/\\d/)',
        },
        shot("dashboard"),
        NO_ERROR,
        {
            content: "Download the workbook",
            trigger: '.o_form_view button[name="action_export"]',
            run: "click",
        },
        {
            content: "The workbook is made, without an error",
            trigger: 'body:not(:has(.o_error_dialog)) .o_form_view button[name="action_export"]:enabled',
            timeout: SLOW,
        },
        {
            content: "Analyse the invoices",
            trigger: '.o_form_view button[name="action_open_claims"]',
            run: "click",
        },
        {
            content: "The analysis shows the amounts still due",
            trigger: ".o_pivot_view .o_pivot table td.o_pivot_cell_value, .o_list_view .o_data_row",
        },
        NO_ERROR,
    ],
});

// The due-date tracking (balance âgée): the analysis, then the sheet.
registry.category("web_tour.tours").add("essms_walk_ageing", {
    url: "/odoo",
    steps: () => [
        ...openApp(),
        ...openMenu("menu_essms_recovery", "essms_receivable_ageing_menu", "the due-date tracking"),
        {
            content: "The open items are shown by payer kind and age",
            timeout: SLOW,
            trigger: ".o_pivot_view .o_pivot table td.o_pivot_cell_value",
        },
        NO_ERROR,
        shot("ageing"),
        ...openMenu("menu_essms_recovery", "essms_receivable_ageing_export_menu", "the due-date tracking sheet"),
        {
            content: "Download the sheet",
            trigger: '.modal .modal-footer button[name="action_export"]',
            run: "click",
        },
        {
            content: "No error is shown",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});

/** The first and the last day of the month ``monthsBack`` months before the current one, in the user's format. */
function monthBounds(monthsBack) {
    const start = DateTime.local().startOf("month").minus({ months: monthsBack });
    return [formatDate(start), formatDate(start.endOf("month"))];
}

/** Compute the open run, invoice it and check it is invoiced. */
function computeAndInvoice(name) {
    return [
        clickButton("action_compute", "Compute"),
        { content: "The run is computed", trigger: stateIs("computed"), timeout: SLOW },
        NO_ERROR,
        {
            content: "It has lines to bill",
            trigger: '.o_field_widget[name="line_ids"] .o_data_row',
        },
        shot(name),
        clickButton("action_invoice", "Create the invoices"),
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        { content: "The run is invoiced", trigger: stateIs("invoiced"), timeout: SLOW },
        NO_ERROR,
    ];
}

// A recall: a pending file granted, its recall run computed and invoiced.
registry.category("web_tour.tours").add("essms_walk_recall", {
    url: "/odoo",
    steps: () => [
        ...openApp(),
        ...openMenu("menu_essms_referential", "essms_funding_decision_menu_pending", "the pending files", "payer_id"),
        {
            content: "Open Émilie Guérin's file",
            trigger: '.o_list_view .o_data_row td[name="beneficiary_id"]:contains("Émilie Guérin")',
            run: "click",
        },
        {
            content: "Enter the decision date: today",
            trigger: '.o_form_view .o_field_widget[name="date_decision"] input',
            run: `edit ${formatDate(DateTime.local())} && press Enter`,
        },
        {
            content: "Click Granted in the status bar",
            trigger: '.o_form_view .o_statusbar_status button[data-value="granted"]',
            run: "click",
        },
        { content: "The file is granted", trigger: stateIs("granted"), timeout: SLOW },
        clickButton("action_create_recall_run", "Create the recall run"),
        {
            content: "The recall run is open",
            trigger: '.o_form_view .o_field_widget[name="kind"]:contains(/\\w/), .o_form_view .o_field_widget[name="kind"] select',
        },
        ...computeAndInvoice("recall_computed"),
    ],
});

// A regularisation: the foyer de vie's retroactive decree, M−1 regularised, then nothing left when run again.
registry.category("web_tour.tours").add("essms_walk_regularisation", {
    url: "/odoo",
    steps: () => {
        const [start, end] = monthBounds(2);
        const steps = [...openApp()];
        for (const again of [false, true]) {
            steps.push(
                ...openMenu("menu_essms_billing", "essms_billing_run_menu_regularisation",
                    "the recalls and regularisations", "establishment_ids"),
                {
                    content: "New regularisation",
                    trigger: ".o_control_panel_main_buttons .o_list_button_add",
                    run: "click",
                },
                {
                    content: "From the 1st of M−1",
                    trigger: '.o_form_view .o_field_widget[name="period_start"] input',
                    run: `edit ${start} && press Enter`,
                },
                {
                    content: "to its end",
                    trigger: '.o_form_view .o_field_widget[name="period_end"] input',
                    run: `edit ${end} && press Enter`,
                },
                ...pick("establishment_ids", FOYER_VIE, "Micocouliers"),
                {
                    content: "The foyer de vie is chosen",
                    trigger: `.o_form_view .o_field_widget[name="establishment_ids"] .o_tag:contains("${FOYER_VIE}")`,
                }
            );
            if (!again) {
                steps.push(...computeAndInvoice("regularisation_computed"));
            } else {
                steps.push(
                    clickButton("action_compute", "Compute again"),
                    {
                        content: "Nothing is left to bill",
                        trigger: stateIs("computed"),
                        timeout: SLOW,
                    },
                    shot("regularisation_again")
                );
            }
        }
        return steps;
    },
});

// Every component and every payer of a stay: the FAM whose care the CPAM pays per day and the MAS of the demo's
// components scenario (models/essms_demo_components.py). Their statements of M, the run, then three invoices printed:
// Inès Roig's to the département (accommodation less her contribution) and to the CPAM (care), Firmin Pujol's daily
// hospital fee limited by the 30 % AAH guarantee.
const FAM_CARE = "Foyer d'accueil médicalisé Les Aspres";
const MAS = "Maison d'accueil spécialisée La Tramontane";
const CPAM = "CPAM des Pyrénées-Orientales";

registry.category("web_tour.tours").add("essms_walk_components", {
    url: "/odoo",
    steps: () => {
        const steps = [...openApp()];
        for (const [establishment, search] of [
            [FAM_CARE, "Aspres"],
            [MAS, "Tramontane"],
        ]) {
            steps.push(
                ...openMenu("menu_essms_billing", "essms_activity_statement_menu_operator", "the statements",
                    "blocking_count"),
                ...createAndSubmitStatement(establishment, search),
                clickButton("action_validate", "Validate it"),
                { content: "It is validated", trigger: stateIs("validated"), timeout: SLOW },
                NO_ERROR
            );
        }
        steps.push(
            ...openMenu("menu_essms_billing", "essms_billing_run_menu", "the billing runs", "establishment_ids"),
            {
                content: "New run",
                trigger: ".o_control_panel_main_buttons .o_list_button_add",
                run: "click",
            },
            {
                content: "Type the month M",
                trigger: '.o_form_view .o_field_widget[name="period_start"] input',
                run: `edit ${monthM()} && press Enter`,
            }
        );
        for (const [establishment, search] of [
            [FAM_CARE, "Aspres"],
            [MAS, "Tramontane"],
        ]) {
            steps.push(...pick("establishment_ids", establishment, search), {
                content: `${establishment} is chosen`,
                trigger: `.o_form_view .o_field_widget[name="establishment_ids"] .o_tag:contains("${establishment}")`,
            });
        }
        steps.push(
            {
                content: "Compute",
                trigger: '.o_form_view .o_statusbar_buttons button[name="action_compute"].btn-primary',
                run: "click",
            },
            { content: "The run is computed", trigger: stateIs("computed"), timeout: SLOW },
            NO_ERROR,
            {
                content: "Open Firmin Pujol's line of the daily hospital fee",
                trigger: '.o_field_widget[name="line_ids"] .o_data_row:has(td[name="payer_id"]:contains("Firmin Pujol")) td[name="beneficiary_id"]',
                run: "click",
            },
            {
                content: "The guarantee limits the days billed to him",
                trigger: '.modal .o_field_widget[name="explanation"]:contains(/30/)',
            },
            shot("components_fjh_line"),
            {
                content: "Close the line",
                trigger: ".modal .modal-header .btn-close",
                run: "click",
            },
            clickButton("action_invoice", "Create the invoices"),
            {
                content: "Confirm",
                trigger: ".modal-footer .btn-primary",
                run: "click",
            },
            { content: "The run is invoiced", trigger: stateIs("invoiced"), timeout: SLOW },
            NO_ERROR,
            {
                content: "Open its invoices",
                trigger: '.o_form_view .o-form-buttonbox button[name="action_view_moves"]',
                run: "click",
            },
            {
                content: "The invoices name their beneficiary",
                trigger: '.o_list_view .o_data_row td[name="essms_beneficiary_id"]:contains("Inès Roig")',
            },
            shot("components_invoices")
        );
        for (const [description, name, beneficiary, partner] of [
            ["Inès Roig's invoice to the département", "components_fam_departement", "Inès Roig", CD66],
            ["Inès Roig's care invoice to the CPAM", "components_fam_cpam", "Inès Roig", CPAM],
            ["Firmin Pujol's daily hospital fee", "components_mas_fjh", "Firmin Pujol", "Firmin Pujol"],
        ]) {
            steps.push(
                {
                    content: `Open ${description}`,
                    trigger: `.o_list_view .o_data_row:has(td[name="essms_beneficiary_id"]:contains("${beneficiary}")):has(td[name="invoice_partner_display_name"]:contains("${partner}")) td[name="invoice_partner_display_name"]`,
                    run: "click",
                },
                { content: "It is posted", trigger: stateIs("posted"), timeout: SLOW },
                shot(name),
                {
                    content: "Print it",
                    trigger: '.o_form_view .o_statusbar_buttons button[name="action_print_pdf"]:visible',
                    run: "click",
                },
                {
                    content: "The PDF is downloaded, without an error",
                    timeout: SLOW,
                    trigger: 'body:not(:has(.o_error_dialog)) .o_form_view .o_statusbar_buttons button[name="action_print_pdf"]:enabled',
                },
                {
                    content: "Back to the list",
                    trigger: ".o_breadcrumb .o_back_button a",
                    run: "click",
                },
                {
                    content: "The list is back",
                    trigger: '.o_list_view .o_data_row td[name="essms_beneficiary_id"]',
                }
            );
        }
        return steps;
    },
});

// The public EHPAD (public-creditor mode). The ordonnateur authorises the enforcement of Josette Roig's titre, whose
// mise en demeure de payer went unanswered.
const PUBLIC_READY = "Josette Roig";
registry.category("web_tour.tours").add("essms_walk_public_authorise", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
        {
            content: "Open the authorisations of enforcement",
            trigger: menu("essms_enforcement_authorisation_menu_officer"),
            run: "click",
        },
        {
            content: "Wait for the list of the authorisations",
            trigger: '.o_list_renderer th[data-name="scope"]',
        },
        {
            content: "New authorisation",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        // The titre, found by its debtor's name (its tag shows its number): wait until the list shows that one only.
        {
            content: `Look for the titre of ${PUBLIC_READY}`,
            trigger: '.o_form_view .o_field_widget[name="move_ids"] input',
            run: `edit ${PUBLIC_READY}`,
        },
        {
            content: `Pick the titre of ${PUBLIC_READY}`,
            timeout: SLOW,
            trigger: '.o-autocomplete--dropdown-menu:not(:has(.o-autocomplete--dropdown-item + .o-autocomplete--dropdown-item a:contains("TIT/"))) .o-autocomplete--dropdown-item a:contains("TIT/")',
            run: "click",
        },
        {
            content: "The titre is named",
            trigger: '.o_form_view .o_field_widget[name="move_ids"] .o_tag',
        },
        shot("public_authorisation"),
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            timeout: SLOW,
            trigger: "body:not(:has(.modal)) .o_form_saved",
        },
        NO_ERROR,
    ],
});

// The accountant's operator of the public EHPAD: the dunning run proposes André Pujol's mise en demeure de payer
// (his titre is enforceable since its taking in charge, and reminded); then she issues the SATD of Josette Roig's titre
// to her bank, now authorised.
registry.category("web_tour.tours").add("essms_walk_public_recovery", {
    url: "/odoo",
    steps: () => [
        ...openApp(),
        ...openMenu("menu_essms_recovery", "essms_dunning_run_menu", "the dunning runs", "letter_count"),
        {
            content: "New run",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        clickButton("action_propose", "Propose the letters"),
        { content: "The proposal is to review", trigger: stateIs("review"), timeout: SLOW },
        NO_ERROR,
        {
            content: "André Pujol has his letter: the mise en demeure de payer",
            trigger: '.o_field_widget[name="letter_ids"] .o_data_row:contains(André Pujol)',
        },
        shot("public_dunning"),
        ...openMenu("menu_essms_recovery", "essms_third_party_notice_menu", "the SATDs", "debtor_id"),
        {
            content: `Open the draft SATD of ${PUBLIC_READY}`,
            trigger: `.o_list_view .o_data_row td[name="debtor_id"]:contains("${PUBLIC_READY}")`,
            run: "click",
        },
        clickButton("action_issue", "Issue the SATD"),
        {
            content: "Issued: the bank freezes the amount claimed",
            timeout: SLOW,
            trigger: '.o_form_view .o_field_widget[name="frozen_amount"]:contains("320,00")',
        },
        shot("public_satd"),
        NO_ERROR,
    ],
});
