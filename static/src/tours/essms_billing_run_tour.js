/** @odoo-module **/

/**
 * The operator's month of billing: validate the activity statement an establishment submitted, create and
 * compute the billing run of that month, open a line to read its calculation, invoice the month and find
 * the posted invoices.
 *
 * Data prepared by tests/test_tour_billing.py: "Foyer de vie Tour Les Aspres" (code TBR) whose statement of
 * July 2025 is submitted, with one resident, "Tour Résident Vidal", absent for a family weekend and a
 * hospital stay in July (worked example C of domain/billing-rules.md).
 * Triggers rely on menu xml ids, field names, button names and data values only, never on English labels,
 * so the tour runs unchanged in the French UI. The month is typed in the user's own date format.
 */

import { registry } from "@web/core/registry";
import { formatDate } from "@web/core/l10n/dates";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const { DateTime } = luxon;

const ESTABLISHMENT = "Foyer de vie Tour Les Aspres";
const STATEMENT = "TBR 2025-07";
const RESIDENT = "Tour Résident Vidal";
const DEPARTEMENT = "Département des Pyrénées-Orientales";

function menu(xmlid) {
    return `.o_main_navbar [data-menu-xmlid="essms_billing.${xmlid}"]`;
}

function openBillingMenu(xmlid, description) {
    return [
        {
            content: "Open the Billing menu",
            trigger: menu("menu_essms_billing"),
            run: "click",
        },
        {
            content: description,
            trigger: `.dropdown-item[data-menu-xmlid="essms_billing.${xmlid}"]`,
            run: "click",
        },
    ];
}

/** The status bar of the open form shows ``state`` as the current one. */
function stateIs(state) {
    return `.o_form_view .o_statusbar_status button[data-value="${state}"].o_arrow_button_current`;
}

registry.category("web_tour.tours").add("essms_billing_run_tour", {
    url: "/odoo",
    steps: () => {
        const month = formatDate(DateTime.local(2025, 7, 1));
        return [
            ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
            {
                content: "The app is open",
                trigger: menu("menu_essms_billing"),
            },

            // 1. Validate the statement the establishment submitted.
            ...openBillingMenu("essms_activity_statement_menu_operator", "Open the activity statements"),
            {
                content: "Open the submitted statement of July",
                trigger: `.o_list_view .o_data_row:has(td[name="establishment_id"]:contains(${ESTABLISHMENT})) td[name="period_start"]`,
                run: "click",
            },
            {
                content: "The statement is the one of July, submitted",
                trigger: `.o_form_view .o_field_widget[name="name"]:contains(${STATEMENT})`,
            },
            {
                content: "It has no blocking anomaly",
                trigger: `.o_form_view .o_field_widget[name="blocking_count"]:contains(/^\\s*0\\s*$/)`,
            },
            {
                content: "The resident's activity is listed",
                trigger: `.o_field_widget[name="line_ids"] .o_data_row td[name="beneficiary_id"]:contains(${RESIDENT})`,
            },
            {
                content: "The establishment has submitted it",
                trigger: stateIs("submitted"),
            },
            {
                content: "Click Validate",
                trigger: '.o_form_view .o_statusbar_buttons button[name="action_validate"]',
                run: "click",
            },
            {
                content: "The statement is validated",
                trigger: stateIs("validated"),
            },

            // 2. Create and compute the run of the month.
            ...openBillingMenu("essms_billing_run_menu", "Open the billing runs"),
            {
                content: "Create a billing run",
                trigger: ".o_list_view .o_control_panel_main_buttons .o_list_button_add",
                run: "click",
            },
            {
                content: "Type the month",
                trigger: '.o_form_view .o_field_widget[name="period_start"] input',
                run: `edit ${month} && press Enter`,
            },
            {
                content: "Look for the establishment",
                trigger: '.o_form_view .o_field_widget[name="establishment_ids"] input',
                run: "edit Tour Les Aspres",
            },
            {
                content: "Pick the establishment",
                trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains(${ESTABLISHMENT})`,
                run: "click",
            },
            {
                content: "The establishment is selected",
                trigger: `.o_form_view .o_field_widget[name="establishment_ids"] .o_tag:contains(${ESTABLISHMENT})`,
            },
            {
                content: "Compute the run",
                trigger: '.o_form_view .o_statusbar_buttons button[name="action_compute"].btn-primary',
                run: "click",
            },
            {
                content: "The run is computed",
                trigger: stateIs("computed"),
            },

            // 3. Read how a line was calculated.
            {
                content: "Open the département's line of the resident",
                trigger:
                    `.o_field_widget[name="line_ids"] .o_data_row:has(td[name="payer_id"]:contains(${DEPARTEMENT}))` +
                    ` td[name="beneficiary_id"]:contains(${RESIDENT})`,
                run: "click",
            },
            {
                content: "The explanation tells the eight reduced days at 160.00 (180.00 less the daily hospital fee)",
                trigger: '.modal .o_field_widget[name="explanation"]:contains(/8\\D+160\\D00\\D+1\\D?280\\D00/)',
            },
            {
                content: "and the 31 days billed, hospital stay included",
                trigger: '.modal .o_field_widget[name="days_billed"]:contains(/^\\s*31\\D00\\s*$/)',
            },
            {
                content: "Close the line",
                trigger: ".modal .modal-header .btn-close",
                run: "click",
            },

            // 4. Invoice the month.
            {
                content: "Invoice the run",
                trigger: 'body:not(:has(.modal)) .o_form_view .o_statusbar_buttons button[name="action_invoice"]',
                run: "click",
            },
            {
                content: "Confirm the invoicing",
                trigger: ".modal-footer .btn-primary",
                run: "click",
            },
            {
                content: "The run is invoiced",
                trigger: stateIs("invoiced"),
            },
            {
                content: "Open its invoices",
                trigger: '.o_form_view .o-form-buttonbox button[name="action_view_moves"]',
                run: "click",
            },
            {
                content: "The département is invoiced",
                trigger: `.o_list_view .o_data_row:contains(${DEPARTEMENT})`,
            },
            {
                content: "and the resident's contribution is invoiced too",
                trigger: `.o_list_view .o_data_row:contains(${RESIDENT})`,
            },
        ];
    },
});
