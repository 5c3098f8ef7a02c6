"""``python -m containerregistry.kcrane.cli`` runs kcrane."""

from containerregistry.kcrane.cli import main

main()
