"""Chasing and supervision (督办): in-app inbox, reminders and supervision notices."""
