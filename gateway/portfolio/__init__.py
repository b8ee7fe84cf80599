"""The credit portfolio (DESIGN §3b "Portfolio and committee")."""
