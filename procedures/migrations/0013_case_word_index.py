"""The index of the words of the cases' search text (qms.search.word_indexes): the case list
and global search find applicants' names by whole words, read from it. Built concurrently:
cases go on being received while it is built (7 s for the 500,000 cases of the agency data,
75 s for five million)."""

from django.db import migrations

from qms.search import word_indexes


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("procedures", "0012_search_indexes_without_pending_list")]

    operations = [word_indexes(("procedures_servicecase", "procedures_case_search_words"))]
