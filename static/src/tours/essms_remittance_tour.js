/** @odoo-module **/

/**
 * The operator imports a payment advice of the département: upload the CSV file, import it, give the invoice
 * of the one line that matched nothing by hand, post, and find the payment.
 *
 * Data prepared by tests/test_tour_remittance.py: two open invoices of the département for July 2025, one of
 * "Tour Dupont Marie" (4 687,68) and one of "Tour Roux Anne" (5 400,00). The advice pays the first one, found
 * by its beneficiary, period and amount, and 250,00 for "Tour Rous Anne", a misspelt name that matches nothing:
 * the operator gives that line Anne Roux's invoice, which the advice then pays in part.
 * Triggers rely on menu xml ids, field names, button names and data values only, never on English labels.
 */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const DEPARTEMENT = "Département des Pyrénées-Orientales";
// The second invoice of the test's sales journal FDV (checked by the test before the tour starts).
const ROUX_INVOICE = "FDV/2025/00002";
const ADVICE = [
    "Nom Prénom;Période;Montant réglé",
    "Tour Dupont Marie;07/2025;4 687,68",
    "Tour Rous Anne;07/2025;250,00",
].join("\r\n");

function stateIs(state) {
    return `.o_form_view .o_statusbar_status button[data-value="${state}"].o_arrow_button_current`;
}

registry.category("web_tour.tours").add("essms_remittance_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
        {
            content: "Open the Payments menu",
            trigger: '.o_main_navbar [data-menu-xmlid="essms_billing.menu_essms_payments"]',
            run: "click",
        },
        {
            content: "Open the payment advices",
            trigger: '.dropdown-item[data-menu-xmlid="essms_billing.essms_remittance_menu"]',
            run: "click",
        },
        {
            // Under load the app's first list may still be shown: its "New" would create something else.
            content: "Wait for the list of the payment advices",
            trigger: '.o_list_renderer th[data-name="amount_total"]',
        },
        {
            content: "Create an advice",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        {
            content: "Look for the payer",
            trigger: '.o_form_view .o_field_widget[name="partner_id"] input',
            run: "edit Pyrénées-Orientales",
        },
        {
            content: "Pick the département",
            trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains(${DEPARTEMENT})`,
            run: "click",
        },
        {
            content: "Upload the advice file",
            trigger: '.o_form_view .o_field_widget[name="file"] .o_select_file_button',
            run() {
                // The file input itself is hidden behind the upload button: give it the file as a browser would.
                const input = this.anchor.closest(".o_field_widget").querySelector("input.o_input_file");
                const transfer = new DataTransfer();
                transfer.items.add(new File([ADVICE], "avis_cd66.csv", { type: "text/csv" }));
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "The file is uploaded",
            trigger: '.o_form_view .o_field_widget[name="file"] .o_clear_file_button',
        },
        {
            content: "Import it",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_import"]',
            run: "click",
        },
        {
            content: "The first line is matched by the beneficiary, the period and the amount",
            trigger:
                '.o_field_widget[name="line_ids"] .o_data_row:has(td[name="beneficiary_name"]:contains(Tour Dupont Marie))' +
                ' td[name="match_method"]:not(:empty)',
        },
        {
            content: "The misspelt line is unknown: open its invoice cell",
            trigger:
                '.o_field_widget[name="line_ids"] .o_data_row:has(td[name="beneficiary_name"]:contains(Tour Rous Anne))' +
                ' td[name="move_id"]',
            run: "click",
        },
        {
            content: "Look for Anne Roux's invoice by its number",
            trigger: '.o_field_widget[name="line_ids"] .o_selected_row .o_field_widget[name="move_id"] input',
            run: `edit ${ROUX_INVOICE}`,
        },
        {
            content: "Pick it",
            trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains(${ROUX_INVOICE})`,
            run: "click",
        },
        {
            content: "Leave the line",
            trigger: ".o_form_view .oe_title",
            run: "click",
        },
        {
            content: "The line has its invoice",
            trigger:
                '.o_field_widget[name="line_ids"] .o_data_row:not(.o_selected_row):has(td[name="beneficiary_name"]:contains(Tour Rous Anne))' +
                ' td[name="move_id"]:contains(/\\S/)',
        },
        {
            content: "Save the advice",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Nothing blocks the posting",
            trigger: stateIs("checked"),
        },
        {
            content: "Post",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_post"]',
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The advice is posted",
            trigger: stateIs("posted"),
        },
        {
            content: "Its payment is there",
            trigger: '.o_form_view .o-form-buttonbox button[name="action_open_payment"]',
        },
    ],
});
