"""``python -m containerregistry.gcrane.cli`` runs gcrane."""

from containerregistry.gcrane.cli import main

main()
