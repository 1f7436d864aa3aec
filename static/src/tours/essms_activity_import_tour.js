/** @odoo-module **/

/**
 * An establishment's director imports this month's absences exported by their care-records software: open the
 * import, pick their establishment, give the file, read the preview (nothing written yet), import, and land on
 * the month's statement computed again with the absences.
 *
 * Data prepared by tests/test_tour_activity_import.py: "Foyer Tour Import" (the director's), with the stays of
 * "Tour Garcia Léa" (file TOUR-1) and "Tour Martin Paul" (TOUR-2), and this month's statement not submitted.
 * Triggers rely on menu xml ids, field names, button names and data values only, never on English labels.
 */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const ESTABLISHMENT = "Foyer Tour Import";

function day(number) {
    const today = new Date();
    const pad = (value) => String(value).padStart(2, "0");
    return `${pad(number)}/${pad(today.getMonth() + 1)}/${today.getFullYear()}`;
}

// A care-records export: one row per absence, in the trade's words (holidays from the 5th to the 9th: 5 days).
function activityFile() {
    return [
        "N° dossier;Nom prénom;Date de naissance;Motif;Du;Au;Heure de départ;Heure de retour",
        `TOUR-1;Tour Garcia Léa;;Vacances;${day(5)};${day(9)};;`,
        `TOUR-2;Tour Martin Paul;;Convenance personnelle;${day(12)};${day(13)};;`,
    ].join("\r\n");
}

registry.category("web_tour.tours").add("essms_activity_import_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
        {
            content: "Open the Referential menu",
            trigger: '.o_main_navbar [data-menu-xmlid="essms_billing.menu_essms_referential"]',
            run: "click",
        },
        {
            content: "Open the activity import",
            trigger: '.dropdown-item[data-menu-xmlid="essms_billing.essms_activity_import_menu"]',
            run: "click",
        },
        {
            content: "Look for my establishment",
            trigger: '.modal .o_field_widget[name="establishment_id"] input',
            run: "edit Tour Import",
        },
        {
            content: "Pick it",
            trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains(${ESTABLISHMENT})`,
            run: "click",
        },
        {
            content: "Give the care-records export",
            trigger: '.modal .o_field_widget[name="file"] .o_select_file_button',
            run() {
                // The file input itself is hidden behind the upload button: give it the file as a browser would.
                const input = this.anchor.closest(".o_field_widget").querySelector("input.o_input_file");
                const transfer = new DataTransfer();
                transfer.items.add(new File([activityFile()], "activite.csv", { type: "text/csv" }));
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "The file is given",
            trigger: '.modal .o_field_widget[name="file"] .o_clear_file_button',
        },
        {
            content: "Preview: nothing is written yet",
            trigger: '.modal .modal-footer button[name="action_preview"]',
            run: "click",
        },
        {
            content: "The preview shows both rows to create",
            trigger:
                '.modal .o_field_widget[name="line_ids"] .o_data_row:has(td[name="person"]:contains(TOUR-1))' +
                ' td[name="action"] .badge.text-bg-success',
        },
        {
            content: "... the second one too",
            trigger:
                '.modal .o_field_widget[name="line_ids"] .o_data_row:has(td[name="person"]:contains(TOUR-2))' +
                ' td[name="action"] .badge.text-bg-success',
        },
        {
            content: "Import",
            trigger: '.modal .modal-footer button[name="action_import"]',
            run: "click",
        },
        {
            content: "The month's statement opens: its activity tab",
            trigger: '.o_form_view .o_notebook .nav-link[name="lines"]',
            run: "click",
        },
        {
            content: "... computed with the holidays imported (5 days)",
            trigger:
                '.o_form_view .o_field_widget[name="line_ids"] .o_data_row:has(td[name="beneficiary_id"]:contains(Tour Garcia Léa))' +
                ' td[name="absence_holidays"]:contains(5)',
        },
        {
            content: "... and the other person's absence for personal convenience (2 days)",
            trigger:
                '.o_form_view .o_field_widget[name="line_ids"] .o_data_row:has(td[name="beneficiary_id"]:contains(Tour Martin Paul))' +
                ' td[name="absence_personal"]:contains(2)',
        },
    ],
});
