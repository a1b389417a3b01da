from __future__ import annotations

from tests.infra.test_content_security_policy import ROOT, _our_templates


def test_no_template_has_a_multi_line_hash_comment() -> None:
    # {# ... #} must open and close on one line; otherwise Django prints it as page text.
    offenders = []
    for path in _our_templates():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if line.count("{#") > line.count("#}"):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []
