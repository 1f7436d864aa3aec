"""The recovery dashboard's indicators (recovery-rules §9), from amounts the analysis has already summed.

- **Recovery rate**: the payments matched so far with the invoices dated in the period, over what the period
  billed less its credit notes; none when nothing net was billed.
- **DSO** (days sales outstanding): what is outstanding on the end date over the net billed of the period, times
  the days of the period, to one decimal; none when nothing net was billed.
- **Share** of the reminders that worked: letters (or amounts) paid within the delay over those sent; 0 when none
  was sent.
- **Stages add up to the outstanding**: what the stages and the unallocated credits do not explain (other
  receivable items, matchings after the end date) is shown on its own row.

Amounts come in rounded to the currency by the caller; the ratios are returned unrounded but for the DSO.
"""


def period_days(date_from, date_to):
    """Days of the period, both ends included."""
    return (date_to - date_from).days + 1


def net_billed(billed, credited):
    """What a period billed less its credit notes: the base of the recovery rate and of the DSO."""
    return billed - credited


def recovery_rate(billed, credited, collected):
    net = net_billed(billed, credited)
    return collected / net if net > 0 else None


def dso(outstanding, net_billed, days):
    return round(outstanding / net_billed * days, 1) if net_billed > 0 else None


def share(part, whole):
    return part / whole if whole else 0.0


def unexplained(outstanding, explained):
    """What the rows ``explained`` (amounts) leave of the ``outstanding`` total."""
    return outstanding - sum(explained)
