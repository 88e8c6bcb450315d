"""What document control tells other modules, without knowing them."""

from django.dispatch import Signal

#: an external document (law, decree, standard) changed legal status;
#: sent with ``external`` and ``actor`` inside the saving transaction
external_status_changed = Signal()
