/** @odoo-module **/

/**
 * Write-offs and the board list (recovery-rules §7, §8), clicks only, in the French UI:
 * - the operator opens Recovery › Write-offs, opens the draft write-off of "Débiteur Tour" and submits it;
 * - the finance director opens it, approves it, goes back to the list, selects it, opens the board list from the
 *   action menu, types the deliberation's reference, records the board's decision, opens the write-off again and
 *   posts its entry.
 *
 * Data prepared by tests/test_tour_writeoff_board.py. Triggers rely on menu xml ids, field and button names and data
 * values, and on the French name of the board list's action.
 */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const ROW = '.o_list_view .o_data_row:has(td[name="partner_id"]:contains("Débiteur Tour"))';

function openWriteoffs() {
    return [
        ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
        {
            content: "Open the Recovery menu",
            trigger: '.o_main_navbar [data-menu-xmlid="essms_billing.menu_essms_recovery"]',
            run: "click",
        },
        {
            content: "Open the write-offs",
            trigger: '.dropdown-item[data-menu-xmlid="essms_billing.essms_writeoff_menu"]',
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("essms_writeoff_propose_tour", {
    steps: () => [
        ...openWriteoffs(),
        {
            content: "Open the draft write-off of the tour's debtor",
            trigger: `${ROW} td[name="name"]`,
            run: "click",
        },
        {
            content: "Submit it",
            trigger: '.o_form_view button[name="action_submit"]',
            run: "click",
        },
        {
            content: "It waits for the finance director's approval",
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current[data-value="to_approve"]',
        },
        {
            content: "The operator cannot approve",
            trigger: '.o_form_view:not(:has(button[name="action_approve"]:visible))',
        },
    ],
});

registry.category("web_tour.tours").add("essms_writeoff_board_tour", {
    steps: () => [
        ...openWriteoffs(),
        {
            content: "Open the write-off to approve",
            trigger: `${ROW} td[name="name"]`,
            run: "click",
        },
        {
            content: "Approve it",
            trigger: '.o_form_view button[name="action_approve"]',
            run: "click",
        },
        {
            content: "Approved: it waits for the board",
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current[data-value="approved"]',
        },
        {
            content: "Back to the list",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item:first-child a",
            run: "click",
        },
        {
            content: "Select the write-off",
            trigger: `${ROW} td.o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Open the action menu",
            trigger: ".o_control_panel .o_cp_action_menus button",
            run: "click",
        },
        {
            content: "Open the board list",
            trigger: '.o-dropdown--menu .o-dropdown-item:contains("Liste pour le conseil")',
            run: "click",
        },
        {
            content: "The list holds the write-off",
            trigger: `.modal .o_field_widget[name="writeoff_ids"] .o_data_row:contains("Débiteur Tour")`,
        },
        {
            content: "Type the deliberation's reference",
            trigger: '.modal .o_field_widget[name="board_reference"] input',
            run: "edit CA 2026-TOUR",
        },
        {
            content: "Leave the field: the decision can be recorded",
            trigger: ".modal .modal-title",
            run: "click",
        },
        {
            content: "Record the board's decision",
            trigger: '.modal footer button[name="action_record_decision"]',
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Open the write-off again",
            trigger: `${ROW}:contains("CA 2026-TOUR") td[name="name"]`,
            run: "click",
        },
        {
            content: "Post its entry",
            trigger: '.o_form_view button[name="action_post"]',
            run: "click",
        },
        {
            content: "Confirm the posting",
            trigger: ".modal footer .btn-primary",
            run: "click",
        },
        {
            content: "Posted",
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current[data-value="posted"]',
        },
    ],
});
