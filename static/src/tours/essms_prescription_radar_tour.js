/** @odoo-module **/

/**
 * The prescription radar: the operator opens it from the Recovery menu, finds the département's old claim with its
 * cheapest action, and sends the written payment demand from the row, which records the interrupting event.
 *
 * Data prepared by tests/test_tour_prescription_radar.py: "Tour Département" with an invoice of November four
 * years ago (time-barred on the next 1 January). Triggers rely on menu xml ids,
 * field and button names and data values only, so the tour runs in the French UI.
 */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const ROW = '.o_list_view .o_data_row:has(td[name="commercial_partner_id"]:contains("Tour Département"))';

registry.category("web_tour.tours").add("essms_prescription_radar_tour", {
    steps: () => [
        ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
        {
            content: "Open the Recovery menu",
            trigger: '.o_main_navbar [data-menu-xmlid="essms_billing.menu_essms_recovery"]',
            run: "click",
        },
        {
            content: "Open the prescription radar",
            trigger: '.dropdown-item[data-menu-xmlid="essms_billing.essms_prescription_radar_menu"]',
            run: "click",
        },
        {
            content: "The département's claim is listed with a written demand to send",
            trigger: `${ROW} td[name="essms_radar_action"]`,
        },
        {
            content: "Send the written payment demand from the row",
            trigger: `${ROW} button[name="action_essms_written_demand"]`,
            run: "click",
        },
        {
            content: "The demand is sent and recorded",
            trigger: ".o_notification",
        },
    ],
});
