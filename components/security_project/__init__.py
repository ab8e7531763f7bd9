"""Per-cloud security projects (VPC/VNet, load balancers, firewalls) with one output shape."""
