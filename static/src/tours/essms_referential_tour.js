/** @odoo-module **/

/**
 * The operator's referential journey: from the "ESSMS Billing" app, create a beneficiary (the resident's
 * contact created on the fly), give them a stay in an existing establishment, record a hospital absence
 * of more than 72 hours through the Absences menu, and find it with the yearly counter on the file.
 *
 * Data prepared by tests/test_tour.py: an establishment "Foyer de vie Tour Les Albères" (code TOURFV).
 * Triggers rely on menu xml ids, field names and data values only, never on English labels, so the tour
 * runs unchanged in the French UI. Dates are typed in the user's own format (dd/mm/yyyy in French).
 */

import { registry } from "@web/core/registry";
import { formatDate, formatDateTime } from "@web/core/l10n/dates";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const { DateTime } = luxon;

const RESIDENT = "Tour Résident Martin";
const FILE_NUMBER = "TOUR-0042";
const ESTABLISHMENT = "Foyer de vie Tour Les Albères";
const HOSPITAL_NOTE = "Hospitalisation tour CH Perpignan";

// A float of 5 days, whatever the decimal separator ("5.00" in English, "5,00" in French).
const DAYS = "5\\D00";

/** A hoot `:contains()` pattern matching the whole text of the element, not a part of it. */
function exactly(pattern) {
    return `/^\\s*${pattern}\\s*$/`;
}

function menu(xmlid) {
    return `.o_main_navbar [data-menu-xmlid="essms_billing.${xmlid}"]`;
}

function field(name, inner = "input") {
    return `.o_form_view .o_field_widget[name="${name}"] ${inner}`.trim();
}

function openReferentialMenu(xmlid, description) {
    return [
        {
            content: "Open the Referential menu",
            trigger: menu("menu_essms_referential"),
            run: "click",
        },
        {
            content: description,
            trigger: `.dropdown-item[data-menu-xmlid="essms_billing.${xmlid}"]`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("essms_referential_tour", {
    url: "/odoo",
    steps: () => {
        // Evaluated when the tour starts, once the user's localization is loaded. The stay starts on the
        // 1st of January so that the absence falls in the current civil year, whatever today's date.
        const year = DateTime.local().year;
        const stayStart = formatDate(DateTime.local(year, 1, 1));
        // 5 January 10:00 → 9 January 12:00: 98 hours, 5 calendar days, above the 72-hour threshold.
        const departure = formatDateTime(DateTime.local(year, 1, 5, 10, 0, 0));
        const back = formatDateTime(DateTime.local(year, 1, 9, 12, 0, 0));
        return [
            ...stepUtils.goToAppSteps("essms_billing.menu_essms_root", "Open the ESSMS Billing app"),
            {
                content: "The app is open",
                trigger: `${menu("menu_essms_referential")}`,
            },
            ...openReferentialMenu("essms_beneficiary_menu", "Open the beneficiaries"),
            {
                content: "Create a beneficiary",
                trigger: ".o_list_view .o_control_panel_main_buttons .o_list_button_add",
                run: "click",
            },
            // The resident's contact does not exist yet: create it from the many2one.
            {
                content: "Type the resident's name",
                trigger: field("partner_id"),
                run: `edit ${RESIDENT}`,
            },
            {
                content: "Create the contact on the fly",
                trigger: `.o_field_widget[name="partner_id"] .o_m2o_dropdown_option_create a`,
                run: "click",
            },
            {
                content: "The contact is set",
                trigger: `${field("partner_id")}:value(${RESIDENT})`,
            },
            {
                content: "Enter the file number",
                trigger: field("file_number"),
                run: `edit ${FILE_NUMBER}`,
            },
            {
                content: "Open the stays tab",
                trigger: '.o_notebook .nav-link[name="stays"]',
                run: "click",
            },
            {
                content: "Add a stay",
                trigger: '.o_field_widget[name="stay_ids"] .o_field_x2many_list_row_add a',
                run: "click",
            },
            {
                content: "Choose the establishment",
                trigger: '.o_field_widget[name="stay_ids"] .o_selected_row .o_field_widget[name="establishment_id"] input',
                run: "edit Tour Les Albères",
            },
            {
                content: "Pick the existing establishment",
                trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains(${ESTABLISHMENT})`,
                run: "click",
            },
            {
                content: "Enter the entry date",
                trigger: '.o_field_widget[name="stay_ids"] .o_selected_row .o_field_widget[name="date_start"] input',
                run: `edit ${stayStart} && press Enter`,
            },
            {
                content: "Full board is the default accommodation",
                trigger:
                    '.o_field_widget[name="stay_ids"] .o_selected_row .o_field_widget[name="accommodation"] select:has(option[value=\'"full_board"\']:selected)',
            },
            ...stepUtils.saveForm(),
            {
                content: "The stay is saved and current",
                trigger: `.o_field_widget[name="stay_ids"] .o_data_row:contains(${ESTABLISHMENT}) .o_field_widget[name="state"] .text-bg-success`,
            },
            {
                content: "The file shows its current establishment",
                trigger: `.o_field_widget[name="current_establishment_id"]:contains(${ESTABLISHMENT})`,
            },

            // The hospital absence, through the Absences menu (calendar first: switch to the list).
            ...openReferentialMenu("essms_absence_menu", "Open the absences"),
            {
                content: "Switch the absences to the list",
                trigger: ".o_control_panel .o_switch_view.o_list",
                run: "click",
            },
            {
                content: "Record an absence",
                trigger: ".o_list_view .o_control_panel_main_buttons .o_list_button_add",
                run: "click",
            },
            {
                content: "Look for the resident's stay",
                trigger: field("stay_id"),
                run: `edit ${RESIDENT}`,
            },
            {
                content: "Pick the stay",
                trigger: `.o_field_widget[name="stay_id"] .o-autocomplete--dropdown-item a:contains(${RESIDENT})`,
                run: "click",
            },
            {
                content: "The stay brings the beneficiary",
                trigger: `.o_form_view .o_field_widget[name="beneficiary_id"]:contains(${RESIDENT})`,
            },
            {
                content: "A hospital stay",
                trigger: field("kind", "select"),
                run: 'select "hospital"',
            },
            {
                content: "Departure",
                trigger: field("date_start"),
                run: `edit ${departure} && press Enter`,
            },
            {
                content: "Return",
                trigger: field("date_end"),
                run: `edit ${back} && press Enter`,
            },
            {
                content: "Note where the resident is",
                trigger: field("note", "textarea"),
                run: `edit ${HOSPITAL_NOTE}`,
            },
            {
                content: "Five calendar days are counted",
                trigger: `.o_form_view .o_field_widget[name="duration_days"]:contains(${exactly("5")})`,
            },
            {
                content: "Ninety-eight hours: above the 72-hour threshold",
                trigger: `.o_form_view .o_field_widget[name="duration_hours"]:contains(${exactly("98:00")})`,
            },
            ...stepUtils.saveForm(),

            // Back to the file: the absence and the yearly counter.
            ...openReferentialMenu("essms_beneficiary_menu", "Back to the beneficiaries"),
            {
                content: "Open the new file",
                trigger: `.o_list_view .o_data_row td[name="file_number"]:contains(${FILE_NUMBER})`,
                run: "click",
            },
            {
                content: "The file is open",
                trigger: `${field("file_number")}:value(${FILE_NUMBER})`,
            },
            {
                content: "Five hospital days this year",
                trigger: `.o_form_view .o_field_widget[name="hospital_days_year"]:contains(${exactly(DAYS)})`,
            },
            {
                content: "Five absence days this year",
                trigger: `.o_form_view .o_field_widget[name="absence_days_year"]:contains(${exactly(DAYS)})`,
            },
            {
                content: "The quota of the establishment's absence policy",
                trigger: `.o_form_view .o_field_widget[name="absence_quota_days"]:contains(${exactly("30")})`,
            },
            {
                content: "Open the absences tab",
                trigger: '.o_notebook .nav-link[name="absences"]',
                run: "click",
            },
            {
                content: "The absence is listed on the file with its five days",
                trigger:
                    `.o_field_widget[name="absence_ids"] .o_data_row:has(td[name="establishment_id"]:contains(${ESTABLISHMENT}))` +
                    ` td[name="duration_days"]:contains(${exactly("5")})`,
            },
        ];
    },
});
