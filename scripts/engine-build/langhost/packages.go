package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageJSON is the part of an npm package.json that says whether the package is a Pulumi provider SDK
// and which plugin it needs (`"pulumi": {"resource": true, "name": ..., "version": ...}`).
type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  *struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// installedPackages reads node_modules/<name>/package.json and node_modules/@scope/<name>/package.json
// under dir. Only the top level is read: that is where npm puts the packages a program imports, and
// nested copies would only name the same plugins again.
func installedPackages(dir string) ([]packageJSON, error) {
	root := filepath.Join(abs(dir), "node_modules")
	entries, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() && e.Type()&os.ModeSymlink == 0 {
			continue
		}
		if strings.HasPrefix(e.Name(), "@") {
			scoped, err := os.ReadDir(filepath.Join(root, e.Name()))
			if err != nil {
				return nil, err
			}
			for _, s := range scoped {
				dirs = append(dirs, filepath.Join(root, e.Name(), s.Name()))
			}
			continue
		}
		if !strings.HasPrefix(e.Name(), ".") {
			dirs = append(dirs, filepath.Join(root, e.Name()))
		}
	}
	var out []packageJSON
	for _, d := range dirs {
		raw, err := os.ReadFile(filepath.Join(d, "package.json"))
		if err != nil {
			continue // not a package (e.g. a stray directory); npm would ignore it too
		}
		var p packageJSON
		if json.Unmarshal(raw, &p) == nil && p.Name != "" {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// providerPackages lists the resource plugins the program's provider SDKs declare, so the engine knows
// them before the program runs.
func providerPackages(dir string) ([]*pulumirpc.PackageDependency, error) {
	pkgs, err := installedPackages(dir)
	if err != nil {
		return nil, err
	}
	var out []*pulumirpc.PackageDependency
	for _, p := range pkgs {
		if p.Pulumi == nil || !p.Pulumi.Resource {
			continue
		}
		name := p.Pulumi.Name
		if name == "" {
			// Older SDKs only have the npm name: @pulumi/random -> random.
			name = strings.TrimPrefix(p.Name, "@pulumi/")
		}
		version := p.Pulumi.Version
		if version == "" {
			version = p.Version
		}
		out = append(out, &pulumirpc.PackageDependency{
			Name:    name,
			Kind:    "resource",
			Version: "v" + strings.TrimPrefix(version, "v"),
			Server:  p.Pulumi.Server,
		})
	}
	return out, nil
}

// installedDependencies lists the npm packages installed for the program (`pulumi about`).
func installedDependencies(dir string) ([]*pulumirpc.DependencyInfo, error) {
	pkgs, err := installedPackages(dir)
	if err != nil {
		return nil, err
	}
	out := make([]*pulumirpc.DependencyInfo, 0, len(pkgs))
	for _, p := range pkgs {
		out = append(out, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return out, nil
}
