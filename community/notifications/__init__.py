"""Notifications: one ``notify`` for every feature; stored grouped per person, pushed live, mailed as a daily digest."""
