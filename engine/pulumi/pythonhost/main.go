// Command pulumi-language-python is the Python language host the engine tier runs the program
// with.
//
// Upstream's host (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) is a
// module of its own with no tags, and the module proxy this project builds from refuses every
// version of it (see docs/engine.md). This host is ours: it serves the same LanguageRuntime
// gRPC contract over the pieces the published sdk/v3 module does carry — the virtualenv
// toolchain, the policy-pack proxy, the plugin stream helpers — and starts the SDK's own
// pulumi-language-python-exec script, which scripts/engine copies beside this binary.
//
// What it does not do: generate code (convert, package gen), link local packages, pack
// plugins, or report installed SDKs as required packages (see GetRequiredPackages).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// execScript is the SDK's program launcher; it must sit beside this binary.
const execScript = "pulumi-language-python-exec"

// exitAfterUserMessage is the exit code with which the exec script says it has already shown
// the user an actionable error, so the engine should not add "non-zero exit code" noise.
const exitAfterUserMessage = 32

func main() {
	flag.String("tracing", "", "Zipkin-compatible tracing endpoint (accepted, not used)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	logging.InitLogging(false, 0, false)

	self, err := os.Executable()
	if err != nil {
		cmdutil.Exit(fmt.Errorf("cannot find this executable: %w", err))
	}
	launcher := filepath.Join(filepath.Dir(self), execScript)
	if _, err := os.Stat(launcher); err != nil {
		cmdutil.Exit(fmt.Errorf("missing %s beside the language host: %w", execScript, err))
	}

	host := &pythonHost{launcher: launcher}
	if args := flag.Args(); len(args) > 0 {
		host.engineAddress = args[0]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(cancel)
	}()
	if host.engineAddress != "" {
		// Exit when the engine goes away, as every plugin must.
		if err := rpcutil.Healthcheck(ctx, host.engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("engine health check: %w", err))
		}
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("cannot serve the language host: %w", err))
	}
	// The engine reads the port from our first line of output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host stopped: %w", err))
	}
}

type pythonHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	launcher      string
	engineAddress string
}

// pythonToolchain reads Pulumi.yaml's runtime options (toolchain, virtualenv) the way the
// upstream host does, for the pip toolchain this project uses.
func pythonToolchain(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	opts := toolchain.PythonOptions{
		Root:       info.GetRootDirectory(),
		ProgramDir: info.GetProgramDirectory(),
		Toolchain:  toolchain.Pip,
	}
	for name, value := range info.GetOptions().AsMap() {
		text, ok := value.(string)
		if !ok {
			return nil, fmt.Errorf("runtime option %q must be a string", name)
		}
		switch name {
		case "virtualenv":
			opts.Virtualenv = text
		case "toolchain":
			if text != "pip" {
				return nil, fmt.Errorf("runtime option toolchain: %q is not supported here (pip only)", text)
			}
		case "typechecker":
			return nil, errors.New("runtime option typechecker is not supported by this language host")
		}
	}
	return toolchain.ResolveToolchain(opts)
}

func (h *pythonHost) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *pythonHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPackages reports no packages. Upstream lists every installed SDK that ships a
// pulumi-plugin.json, which would make the engine demand the gcp, aws and azure-native
// plugins for a private-cloud stack that never registers one; this machine cannot build them.
// The engine still loads each provider the program registers, from the plugin cache.
func (h *pythonHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *pythonHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// Run starts the program through the SDK's exec script in the project's virtualenv.
func (h *pythonHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	args := []string{h.launcher}
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.engineAddress)
	flagArg("project", req.GetProject())
	flagArg("root_directory", req.GetInfo().GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", req.GetPwd())
	flagArg("dry_run", strconv.FormatBool(req.GetDryRun()))
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("organization", req.GetOrganization())
	args = append(args, req.GetInfo().GetEntryPoint())
	args = append(args, req.GetArgs()...)

	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	env, err := programEnv(cmd.Env, req)
	if err != nil {
		return nil, err
	}
	cmd.Env = env

	err = cmd.Run()
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	// The child may die before flushing: make sure what it wrote reaches the engine.
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run the Python program: %v", err)}, nil
	}
	if exitErr.ExitCode() == exitAfterUserMessage {
		return &pulumirpc.RunResponse{Bail: true}, nil
	}
	return &pulumirpc.RunResponse{
		Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode()),
	}, nil
}

// programEnv passes the stack's configuration the way the SDK reads it: as JSON in
// PULUMI_CONFIG, and the secret keys in PULUMI_CONFIG_SECRET_KEYS.
func programEnv(base []string, req *pulumirpc.RunRequest) ([]string, error) {
	if base == nil {
		base = os.Environ()
	}
	env := append([]string{}, base...)
	if cfg := req.GetConfig(); cfg != nil {
		text, err := json.Marshal(cfg)
		if err != nil {
			return nil, fmt.Errorf("serialising the configuration: %w", err)
		}
		env = append(env, "PULUMI_CONFIG="+string(text))
	}
	keys := req.GetConfigSecretKeys()
	if keys == nil {
		keys = []string{}
	}
	text, err := json.Marshal(keys)
	if err != nil {
		return nil, fmt.Errorf("serialising the secret keys: %w", err)
	}
	return append(env, "PULUMI_CONFIG_SECRET_KEYS="+string(text)), nil
}

// RunPlugin runs a Python policy pack (kind analyzer) as `python -m pulumi.policy`, or any
// other Python plugin through its __main__.py. The policy proxy answers the engine's
// ConfigureStack call and hands the stack's configuration to the pack in its environment,
// which is how v3.276.0 runs Python policy packs now that the separate analyzer launcher is
// gone.
func (h *pythonHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	ctx := server.Context()
	tc, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return err
	}
	analyzer := req.GetKind() == string(apitype.AnalyzerPlugin)
	var args []string
	if analyzer {
		args = append([]string{"-u", "-m", "pulumi.policy"}, req.GetArgs()...)
		args = append(args, req.GetInfo().GetProgramDirectory())
	} else {
		args = append([]string{req.GetInfo().GetProgramDirectory()}, req.GetArgs()...)
	}
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	cmd.Dir = req.GetPwd()
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	var proxy *sdk.PolicyProxy
	if analyzer {
		// Packs have always run from their own folder.
		cmd.Dir = req.GetInfo().GetProgramDirectory()
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("policy pack proxy: %w", err)
		}
		stack, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("policy pack configuration: %w", err)
		}
		if stack != nil {
			cmd.Env, err = packEnv(cmd.Env, stack)
			if err != nil {
				return err
			}
		}
	}
	cmd.Env = append(cmd.Env, req.GetEnv()...)
	cmd.Stdout, cmd.Stderr = stdout, stderr

	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start the Python plugin: %w", err)
	}
	if proxy != nil {
		if err := proxy.Attach(ctx, cmd); err != nil {
			return fmt.Errorf("attaching the policy pack: %w", err)
		}
		return closer.Close()
	}
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if status, ok := exitErr.Sys().(syscall.WaitStatus); ok {
				return server.Send(&pulumirpc.RunPluginResponse{
					Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(status.ExitStatus())},
				})
			}
		}
		return fmt.Errorf("python plugin failed: %w", err)
	}
	return closer.Close()
}

func packEnv(env []string, stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	add := func(name, value string) {
		if value != "" {
			env = append(env, name+"="+value)
		}
	}
	add("PULUMI_ORGANIZATION", stack.GetOrganization())
	add("PULUMI_PROJECT", stack.GetProject())
	add("PULUMI_STACK", stack.GetStack())
	add("PULUMI_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
	if cfg := stack.GetConfig(); cfg != nil {
		text, err := json.Marshal(cfg)
		if err != nil {
			return nil, fmt.Errorf("serialising the pack's configuration: %w", err)
		}
		add("PULUMI_CONFIG", string(text))
	}
	return env, nil
}

// InstallDependencies creates the virtualenv when it is missing and installs
// requirements.txt into it (what `pulumi install`, and a first `pulumi preview`, ask for).
func (h *pythonHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	tc, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return err
	}
	out := streamWriter{send: func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	}}
	errOut := streamWriter{send: func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	}}
	dir := req.GetInfo().GetProgramDirectory()
	if err := tc.EnsureVenv(server.Context(), dir, false, true, out, errOut); err != nil {
		return err
	}
	return tc.InstallDependencies(server.Context(), dir, false, true, out, errOut)
}

type streamWriter struct{ send func([]byte) error }

func (w streamWriter) Write(p []byte) (int, error) {
	if err := w.send(append([]byte{}, p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

var _ io.Writer = streamWriter{}

func (h *pythonHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: info.PythonExecutable,
		Version:    info.PythonVersion.String(),
	}, nil
}

func (h *pythonHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := pythonToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	packages, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	deps := make([]*pulumirpc.DependencyInfo, 0, len(packages))
	for _, p := range packages {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *pythonHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
