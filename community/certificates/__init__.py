"""Certificates of attendance: issued for a subject another feature owns (an event), rendered as a
PDF in the script the person wrote their name in, and confirmed by a public verification page."""
