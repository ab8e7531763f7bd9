// Command pulumi-resource-kubernetes serves the Kubernetes resource provider.
//
// Upstream's main embeds two generated, git-ignored files that the published module lacks;
// scripts/engine copies the committed schema.json and terraform-mapping.json out of the module
// cache beside this file before it builds.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var pulumiSchema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
