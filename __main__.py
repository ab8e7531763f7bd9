"""Entry point for `pulumi preview` / `pulumi up`; all behaviour lives in components/."""

from components.program import main

main()
