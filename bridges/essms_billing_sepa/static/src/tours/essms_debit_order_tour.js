/** @odoo-module **/

/**
 * The operator collects the residents' invoices of an invoiced billing run by SEPA direct debit: "Create the debit
 * order", confirm, then on the debit order "Confirm payments" and "Generate payment file" (the pain.008).
 *
 * Data prepared by tests/test_tour_debit_order.py: the July run invoiced today, three residents paying by direct
 * debit with a valid mandate (723,32 € each, due today), one paying by cheque.
 * Triggers rely on field names, button names and data values only, never on labels.
 */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("essms_debit_order_tour", {
    steps: () => [
        {
            content: "The run is invoiced: make its debit order",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_essms_debit_order"]',
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The debit order holds the three residents' debits",
            trigger: '.o_form_view .o_field_widget[name="payment_line_ids"] .o_data_row:nth-child(3)',
        },
        {
            content: "The mandates are on the lines",
            trigger: '.o_form_view .o_field_widget[name="payment_line_ids"] .o_data_row:contains(RUM-BERNARD)',
        },
        {
            content: "Confirm the payments",
            trigger: '.o_form_view .o_statusbar_buttons button[name="draft2open"]',
            run: "click",
        },
        {
            content: "Generate the pain.008 file",
            trigger: '.o_form_view .o_statusbar_buttons button[name="open2generated"]',
            run: "click",
        },
        {
            content: "The file is there",
            trigger: '.o_form_view .o_field_widget[name="name"]:contains(.xml), .o_form_view .o_field_widget[name="name"] input',
        },
    ],
});
