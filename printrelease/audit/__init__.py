"""The audit trail of administrative actions: who changed what, when, from where."""
