"""Resources of the benefits app."""

# Members, service cards, merchants, member-only activities ---------------------------------

# Hardship files, visits, re-checks, the allowance list --------------------------------------

# The aid ledger ---------------------------------------------------------------------------

# Services for all members -------------------------------------------------------------------
