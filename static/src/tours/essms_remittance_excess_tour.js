/** @odoo-module **/

/**
 * The operator uses the excess of a posted payment advice: "Allocate the excess", choose the payer's open invoice,
 * read the preview, give the reason, confirm.
 *
 * Data prepared by tests/test_tour_payments.py: a posted advice of the département that paid 1 000,00 €
 * beyond its invoice, and another open invoice of the département, FDV/2025/00002 (5 400,00 €).
 * Triggers rely on field names, button names and data values only, never on labels.
 */

import { registry } from "@web/core/registry";

const OTHER_INVOICE = "FDV/2025/00002";
const REASON = "Facture de Tour Roux Anne, accord du Département";

registry.category("web_tour.tours").add("essms_remittance_excess_tour", {
    steps: () => [
        {
            content: "The posted advice has an excess: allocate it",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_open_excess_allocate"]',
            run: "click",
        },
        {
            content: "Look for the other invoice of the payer",
            trigger: '.modal .o_field_widget[name="invoice_ids"] input',
            run: `edit ${OTHER_INVOICE}`,
        },
        {
            content: "Pick it",
            trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains(${OTHER_INVOICE})`,
            run: "click",
        },
        {
            content: "The preview pays it with the excess",
            trigger: `.modal .o_field_widget[name="line_ids"] .o_data_row td[name="move_id"]:contains(${OTHER_INVOICE})`,
        },
        {
            content: "Give the reason",
            trigger: '.modal .o_field_widget[name="reason"] textarea',
            run: `edit ${REASON}`,
        },
        {
            content: "Confirm",
            trigger: '.modal-footer button[name="action_confirm"]',
            run: "click",
        },
        {
            content: "The reason is on the advice's history",
            trigger: `.o-mail-Message-body:contains(${REASON})`,
        },
    ],
});
