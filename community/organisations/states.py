"""States and Union Territories of India, for state-level organisations and profiles. Stored in
English; each name is translated where it is shown."""

from community.i18n import N_

STATES: tuple[str, ...] = (
    N_("Andhra Pradesh"), N_("Arunachal Pradesh"), N_("Assam"), N_("Bihar"), N_("Chhattisgarh"), N_("Goa"),
    N_("Gujarat"), N_("Haryana"), N_("Himachal Pradesh"), N_("Jharkhand"), N_("Karnataka"), N_("Kerala"),
    N_("Madhya Pradesh"), N_("Maharashtra"), N_("Manipur"), N_("Meghalaya"), N_("Mizoram"), N_("Nagaland"),
    N_("Odisha"), N_("Punjab"), N_("Rajasthan"), N_("Sikkim"), N_("Tamil Nadu"), N_("Telangana"),
    N_("Tripura"), N_("Uttar Pradesh"), N_("Uttarakhand"), N_("West Bengal"),
    N_("Andaman and Nicobar Islands"), N_("Chandigarh"), N_("Dadra and Nagar Haveli and Daman and Diu"),
    N_("Delhi"), N_("Jammu and Kashmir"), N_("Ladakh"), N_("Lakshadweep"), N_("Puducherry"),
)
"""The 28 states and 8 union territories."""
