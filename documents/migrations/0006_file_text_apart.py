"""A document's folded file text in its own column (``file_text``), ``search_text`` keeping
code and title only: search finds title matches without reading every whole text."""

from django.db import migrations, models

from qms.search import cjk_bigram_indexes, fold, trigram_indexes


def split(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    Revision = apps.get_model("documents", "Revision")
    documents = Document.objects.only("pk", "code", "title", "effective_revision_id")
    for document in documents.iterator(chunk_size=500):
        text = ""
        if document.effective_revision_id:
            text = (
                Revision.objects.filter(pk=document.effective_revision_id)
                .values_list("text", flat=True)
                .first()
                or ""
            )
        Document.objects.filter(pk=document.pk).update(
            search_text=fold(f"{document.code} {document.title}"), file_text=fold(text)
        )


def join(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    for document in Document.objects.only("pk", "search_text", "file_text").iterator(
        chunk_size=500
    ):
        if document.file_text:
            Document.objects.filter(pk=document.pk).update(
                search_text=f"{document.search_text} {document.file_text}"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_cjk_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="file_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(split, join),
        trigram_indexes(("documents_document", "documents_document_file_trgm"), column="file_text"),
        cjk_bigram_indexes(
            ("documents_document", "documents_document_file_cjk"), column="file_text"
        ),
    ]
