// Command etcd runs the etcd server that the engine tier's kube-apiserver stores its objects in.
//
// etcd's own main package lives in a module the proxy does not publish on its own; its server
// module exports the same entry point.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
