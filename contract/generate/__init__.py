"""What both payload generators share, without Hypothesis unless the module says so.

``schema_nodes`` compiles the schema documents into the tree every generator
and the traffic coverage walk; ``windows`` holds the realistic value windows;
``labels`` and ``mutant`` word and carry a broken rule; ``conditional`` turns a
profile's conditional amendments into generation rules; ``coherence`` makes a
job's fields agree. ``schema_strategies`` and ``mutations`` compile the tree
into Hypothesis strategies (:mod:`contract.generate.strategies`); the direct sampler
(:mod:`contract.generate.sampler`) draws from the same tree with ``random``.
"""
