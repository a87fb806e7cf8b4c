"""Programme insight: each contract's lifecycle, and the figures a manager reads across contracts."""
