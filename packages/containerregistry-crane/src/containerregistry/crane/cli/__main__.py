"""``python -m containerregistry.crane.cli`` runs crane."""

from containerregistry.crane.cli import main

main()
