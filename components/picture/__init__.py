"""A picture of the deployment (``airs graph``): the traffic path and the management plane.

Built from an offline plan document (what ``airs plan --json`` writes: the registered
resources, the stack outputs and the Panorama objects), laid out by Graphviz's ``dot``
(``graphviz-pure``, installed with the project) and written as SVG, PNG or DOT.
"""
