"""airs-intercept: Prisma AIRS AI Runtime network intercept as a Pulumi program."""
