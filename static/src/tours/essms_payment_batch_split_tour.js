/** @odoo-module **/

/**
 * The operator registers a guardian's cheque with its breakdown per protected person: a line for the UDAF; the
 * batch then lists the persons the UDAF protects; 500,00 for Tour Lucie Bernard and 900,00 for Tour Paul Durand;
 * register.
 *
 * Data prepared by tests/test_tour_payments.py: the guardian "Tour UDAF 66" and the two persons it
 * protects, with open invoices. Triggers rely on menu xml ids, field names, button names and data values only.
 */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function splitAmount(person, amount) {
    return [
        {
            content: `Open the amount of ${person}`,
            trigger: `.modal .o_field_widget[name="split_ids"] .o_data_row:has(td[name="beneficiary_id"]:contains(${person})) td[name="amount"]`,
            run: "click",
        },
        {
            content: `${amount} for ${person}`,
            trigger: '.modal .o_field_widget[name="split_ids"] .o_selected_row .o_field_widget[name="amount"] input',
            run: `edit ${amount}`,
        },
    ];
}

registry.category("web_tour.tours").add("essms_payment_batch_split_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
        {
            content: "Open the Payments menu",
            trigger: '.o_main_navbar [data-menu-xmlid="essms_billing.menu_essms_payments"]',
            run: "click",
        },
        {
            content: "Open the residents' payments",
            trigger: '.dropdown-item[data-menu-xmlid="essms_billing.essms_payment_batch_menu"]',
            run: "click",
        },
        {
            content: "Add a line",
            trigger: '.modal .o_field_widget[name="line_ids"] .o_field_x2many_list_row_add a',
            run: "click",
        },
        {
            content: "Look for the guardian",
            trigger: '.modal .o_field_widget[name="line_ids"] .o_selected_row .o_field_widget[name="partner_id"] input',
            run: "edit Tour UDAF",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains(Tour UDAF 66)",
            run: "click",
        },
        {
            content: "The cheque number",
            trigger: '.modal .o_field_widget[name="line_ids"] .o_selected_row .o_field_widget[name="reference"] input',
            run: "edit CHQ 0077",
        },
        {
            content: "The amount",
            trigger: '.modal .o_field_widget[name="line_ids"] .o_selected_row .o_field_widget[name="amount"] input',
            run: "edit 1400",
        },
        {
            content: "Leave the line",
            trigger: '.modal .o_field_widget[name="date"]',
            run: "click",
        },
        {
            content: "The line is recorded",
            trigger: '.modal .o_field_widget[name="line_ids"] .o_data_row:not(.o_selected_row) td[name="amount"]:contains(400)',
        },
        {
            content: "The breakdown lists the persons the guardian protects",
            trigger: '.modal .o_field_widget[name="split_ids"] .o_data_row td[name="beneficiary_id"]:contains(Tour Paul Durand)',
        },
        ...splitAmount("Tour Lucie Bernard", "500"),
        ...splitAmount("Tour Paul Durand", "900"),
        {
            content: "Leave the breakdown",
            trigger: '.modal .o_field_widget[name="date"]',
            run: "click",
        },
        {
            content: "Register",
            trigger: '.modal-footer button[name="action_register"]',
            run: "click",
        },
        {
            // The dialog is gone and the list of the payments made is shown (under load, the app's first list
            // behind the dialog could match too early and end the tour on the dialog still in edition).
            content: "The payments made are listed",
            trigger: "body:not(:has(.modal)) .o_list_view .o_data_row",
        },
    ],
});
