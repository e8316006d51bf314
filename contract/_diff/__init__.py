"""``finetune-contract diff``: reading a published OpenAPI document (``openapi_doc``),
comparing its schemas with ours (``schema_diff``) and checking its examples
(``upstream_diff``). The command itself is :mod:`contract.cli.diff`."""
