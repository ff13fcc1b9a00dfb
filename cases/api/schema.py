"""Schema post-processing: every operation documents the errors it can answer with."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": "错误：detail 是说明；参数无效时，键是参数名，值是该参数的错误说明列表。",
    "additionalProperties": True,
}
ERRORS = {
    "400": "参数无效（哪个参数、为什么）",
    "404": "没有这一项（草稿、未知的标识或超出末页）",
}


def document_errors(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: add the 400 and 404 answers to every operation."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(status, {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                })
    return result
