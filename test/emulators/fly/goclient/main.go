// Drives the Fly emulator with fly-go's flaps client, the library flyctl uses for the Machines API: the machine,
// lease, volume and secret lifecycles, and the creates Fly refuses. Every step is recorded as "name: ok" or
// "name: <error>"; observations the test asserts are printed with them as one JSON object on stdout.
//
// Usage: goclient <emulator origin> <token>
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"time"

	fly "github.com/superfly/fly-go"
	"github.com/superfly/fly-go/flaps"
	"github.com/superfly/fly-go/tokens"
)

const app = "goclient"

type run struct {
	ctx      context.Context
	c        *flaps.Client
	origin   string
	steps    []string
	observed map[string]any
}

// step records one call: ok, or the error the client returned.
func (r *run) step(name string, err error) bool {
	if err != nil {
		r.steps = append(r.steps, fmt.Sprintf("%s: %v", name, err))
		return false
	}
	r.steps = append(r.steps, name+": ok")
	return true
}

// check records an expectation about what the client decoded.
func (r *run) check(name string, ok bool, detail string, args ...any) {
	if ok {
		r.steps = append(r.steps, name+": ok")
	} else {
		r.steps = append(r.steps, name+": "+fmt.Sprintf(detail, args...))
	}
}

// refused records the HTTP status of a call the service must refuse.
func (r *run) refused(name string, err error) {
	var ferr *flaps.FlapsError
	if errors.As(err, &ferr) {
		r.observed[name] = fmt.Sprintf("%d %s", ferr.ResponseStatusCode, ferr.Error())
		return
	}
	r.observed[name] = fmt.Sprintf("not refused: %v", err)
}

func (r *run) wait(name, id string, state string) bool {
	return r.step(name, r.c.Wait(r.ctx, app, id, flaps.WithWaitStates(state), flaps.WithWaitTimeout(30*time.Second)))
}

// advance moves the emulator's clock (its control API), for windows the real service measures in minutes.
func (r *run) advance(ms int) error {
	body, _ := json.Marshal(map[string]int{"ms": ms})
	resp, err := http.Post(r.origin+"/_emulator/clock/advance", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("advance: HTTP %d", resp.StatusCode)
	}
	return nil
}

func webConfig(image string) *fly.MachineConfig {
	return &fly.MachineConfig{
		Image: image,
		Guest: &fly.MachineGuest{CPUKind: "shared", CPUs: 1, MemoryMB: 256},
		Services: []fly.MachineService{{
			Protocol:     "tcp",
			InternalPort: 8080,
			// Marshalled as `"autostop": true` and `"force_instance_key": null`, as flyctl sends them.
			Autostop:  fly.Pointer(fly.MachineAutostopStop),
			Autostart: fly.Pointer(true),
			Ports:     []fly.MachinePort{{Port: fly.Pointer(443), Handlers: []string{"tls", "http"}}},
		}},
		Metadata: map[string]string{"fly_process_group": "app"},
	}
}

func (r *run) machines() {
	m, err := r.c.Launch(r.ctx, app, fly.LaunchMachineInput{Name: "web-1", Region: "ams", Config: webConfig("registry.fly.io/web:v1")})
	if !r.step("machine launch", err) {
		return
	}
	id := m.ID
	r.wait("machine wait started", id, "started")
	got, err := r.c.Get(r.ctx, app, id)
	if r.step("machine get", err) {
		svc := got.Config.Services[0]
		r.check("machine autostop read back", svc.Autostop != nil && *svc.Autostop == fly.MachineAutostopStop, "autostop %v", svc.Autostop)
		r.observed["region"] = got.Region
		r.observed["guest"] = got.Config.Guest.String()
	}
	list, err := r.c.List(r.ctx, app, "")
	if r.step("machine list", err) {
		r.observed["listed"] = len(list)
	}

	// Leases: acquired and refreshed with ?ttl= and no body, answered {status, data: {nonce, …}}.
	lease, err := r.c.AcquireLease(r.ctx, app, id, fly.Pointer(60))
	if !r.step("lease acquire", err) {
		return
	}
	r.check("lease decoded", lease.Status == "success" && lease.Data != nil && lease.Data.Nonce != "", "lease %+v", lease)
	nonce := lease.Data.Nonce
	found, err := r.c.FindLease(r.ctx, app, id)
	if r.step("lease find", err) {
		r.check("lease found is ours", found.Data != nil && found.Data.Nonce == nonce, "found %+v", found.Data)
	}
	// The config read back (autostop true, force_instance_key null) is what an update re-sends.
	update := fly.LaunchMachineInput{ID: id, Region: got.Region, Config: got.Config}
	update.Config.Image = "registry.fly.io/web:v2"
	_, err = r.c.Update(r.ctx, app, update, "")
	r.refused("updateWithoutNonce", err)
	updated, err := r.c.Update(r.ctx, app, update, nonce)
	if r.step("machine update under lease", err) {
		r.check("machine updated", updated.Config.Image == "registry.fly.io/web:v2" && updated.InstanceID != m.InstanceID, "image %s", updated.Config.Image)
	}
	refreshed, err := r.c.RefreshLease(r.ctx, app, id, fly.Pointer(120), nonce)
	if r.step("lease refresh", err) {
		r.check("lease refreshed", refreshed.Data != nil && refreshed.Data.Nonce == nonce && refreshed.Data.ExpiresAt > lease.Data.ExpiresAt, "refreshed %+v", refreshed.Data)
	}
	r.step("lease release", r.c.ReleaseLease(r.ctx, app, id, nonce))
	r.wait("machine wait started after update", id, "started")

	r.step("machine stop", r.c.Stop(r.ctx, app, fly.StopMachineInput{ID: id}, ""))
	r.wait("machine wait stopped", id, "stopped")
	started, err := r.c.Start(r.ctx, app, id, "")
	if r.step("machine start", err) {
		r.observed["startPreviousState"] = started.PreviousState
	}
	r.wait("machine wait started again", id, "started")
	r.step("machine restart", r.c.Restart(r.ctx, app, fly.RestartMachineInput{ID: id}, ""))
	r.wait("machine wait started after restart", id, "started")
	// Suspend (what autostop "suspend" does through the proxy), then start: it resumes from suspended.
	r.step("machine suspend", r.c.Suspend(r.ctx, app, id, ""))
	r.wait("machine wait suspended", id, "suspended")
	resumed, err := r.c.Start(r.ctx, app, id, "")
	if r.step("machine start from suspended", err) {
		r.observed["resumePreviousState"] = resumed.PreviousState
	}
	r.wait("machine wait started after resume", id, "started")
	r.step("machine cordon", r.c.Cordon(r.ctx, app, id, ""))
	r.step("machine uncordon", r.c.Uncordon(r.ctx, app, id, ""))
	r.step("metadata set", r.c.SetMetadata(r.ctx, app, id, "role", "web"))
	meta, err := r.c.GetMetadata(r.ctx, app, id)
	if r.step("metadata get", err) {
		r.observed["metadataRole"] = meta["role"]
	}
	r.step("metadata delete", r.c.DeleteMetadata(r.ctx, app, id, "role"))
	// What `fly machine destroy --force` sends: DELETE …?kill=true on a running machine.
	r.step("machine destroy kill", r.c.Destroy(r.ctx, app, fly.RemoveMachineInput{ID: id, Kill: true}, ""))
	r.wait("machine wait destroyed", id, "destroyed")

	bad := func(name string, mutate func(*fly.LaunchMachineInput)) {
		in := fly.LaunchMachineInput{Region: "ams", Config: webConfig("registry.fly.io/web:v1")}
		mutate(&in)
		_, err := r.c.Launch(r.ctx, app, in)
		r.refused(name, err)
	}
	bad("regionZzz", func(in *fly.LaunchMachineInput) { in.Region = "zzz" })
	bad("shared1x100MB", func(in *fly.LaunchMachineInput) { in.Config.Guest.MemoryMB = 100 })
	bad("shared1x65536MB", func(in *fly.LaunchMachineInput) { in.Config.Guest.MemoryMB = 65536 })
	bad("cpuKindQuantum", func(in *fly.LaunchMachineInput) { in.Config.Guest.CPUKind = "quantum" })
	bad("imageMalformed", func(in *fly.LaunchMachineInput) { in.Config.Image = "NOT A::valid image@@" })
}

func (r *run) volumes() {
	// CreateVolumeRequest marshals every unset pointer as null (fstype, snapshot_id, compute, auto_backup_enabled…).
	v, err := r.c.CreateVolume(r.ctx, app, fly.CreateVolumeRequest{Name: "data", Region: "ams", SizeGb: fly.Pointer(1)})
	if !r.step("volume create", err) {
		return
	}
	r.observed["volumeCreated"] = fmt.Sprintf("%s %dGB encrypted=%t backups=%t", v.State, v.SizeGb, v.Encrypted, v.AutoBackupEnabled)
	got, err := r.c.GetVolume(r.ctx, app, v.ID)
	if r.step("volume get", err) {
		r.check("volume unattached", !got.IsAttached(), "attached to %v", got.AttachedMachine)
	}
	upd, err := r.c.UpdateVolume(r.ctx, app, v.ID, fly.UpdateVolumeRequest{SnapshotRetention: fly.Pointer(7)})
	if r.step("volume update", err) {
		r.observed["volumeUpdated"] = fmt.Sprintf("retention=%d backups=%t", upd.SnapshotRetention, upd.AutoBackupEnabled)
	}
	extended, _, err := r.c.ExtendVolume(r.ctx, app, v.ID, 2)
	if r.step("volume extend", err) {
		r.observed["volumeExtendedGB"] = extended.SizeGb
	}
	r.step("volume snapshot", r.c.CreateVolumeSnapshot(r.ctx, app, v.ID))
	snaps, err := r.c.GetVolumeSnapshots(r.ctx, app, v.ID)
	if r.step("volume snapshots list", err) {
		r.observed["snapshots"] = len(snaps)
	}

	cfg := webConfig("registry.fly.io/web:v1")
	cfg.Mounts = []fly.MachineMount{{Volume: v.ID, Path: "/data"}}
	m, err := r.c.Launch(r.ctx, app, fly.LaunchMachineInput{Name: "db-1", Region: "ams", Config: cfg})
	if !r.step("volume machine launch", err) {
		return
	}
	r.wait("volume machine wait started", m.ID, "started")
	if got, err := r.c.GetVolume(r.ctx, app, v.ID); r.step("volume get attached", err) {
		r.check("volume attached", got.AttachedMachine != nil && *got.AttachedMachine == m.ID, "attached to %v", got.AttachedMachine)
	}
	_, err = r.c.DeleteVolume(r.ctx, app, v.ID)
	r.refused("volumeDeleteWhileAttached", err)
	r.step("volume machine destroy", r.c.Destroy(r.ctx, app, fly.RemoveMachineInput{ID: m.ID, Kill: true}, ""))
	r.wait("volume machine wait destroyed", m.ID, "destroyed")
	// The host keeps the volume bound for a while after its machine is destroyed (flyctl retries on 412).
	r.step("clock past the volume release", r.advance(61_000))
	deleted, err := r.c.DeleteVolume(r.ctx, app, v.ID)
	if r.step("volume delete", err) {
		r.observed["volumeDeletedState"] = deleted.State
	}
	all, err := r.c.GetAllVolumes(r.ctx, app)
	if r.step("volume list all", err) {
		states := []string{}
		for _, x := range all {
			states = append(states, x.Name+" "+x.State)
		}
		r.observed["allVolumes"] = states
	}
	live, err := r.c.GetVolumes(r.ctx, app)
	if r.step("volume list live", err) {
		r.observed["liveVolumes"] = len(live)
	}
	_, err = r.c.CreateVolume(r.ctx, app, fly.CreateVolumeRequest{Name: "data", Region: "zzz", SizeGb: fly.Pointer(1)})
	r.refused("volumeRegionZzz", err)
}

func (r *run) secrets() {
	set, err := r.c.SetAppSecret(r.ctx, app, "A", "1")
	if !r.step("secret set", err) {
		return
	}
	versions := []uint64{set.Version}
	bulk, err := r.c.UpdateAppSecrets(r.ctx, app, map[string]*string{"B": fly.Pointer("2"), "C": fly.Pointer("3")})
	if r.step("secrets update", err) {
		versions = append(versions, bulk.Version)
	}
	one, err := r.c.GetAppSecrets(r.ctx, app, "B", nil, true)
	if r.step("secret get shown", err) {
		r.check("secret value shown", one.Value != nil && *one.Value == "2", "value %v", one.Value)
	}
	// A nil value unsets the secret: fly-go sends {"C": null}.
	unset, err := r.c.UpdateAppSecrets(r.ctx, app, map[string]*string{"C": nil, "D": fly.Pointer("4")})
	if r.step("secrets update with unset", err) {
		versions = append(versions, unset.Version)
	}
	del, err := r.c.DeleteAppSecret(r.ctx, app, "A")
	if r.step("secret delete", err) {
		versions = append(versions, del.Version)
	}
	list, err := r.c.ListAppSecrets(r.ctx, app, nil, false)
	if r.step("secrets list", err) {
		names := []string{}
		for _, s := range list {
			if s.Value != nil {
				names = append(names, s.Name+"=<shown>")
			} else {
				names = append(names, s.Name)
			}
		}
		r.observed["secrets"] = names
	}
	r.check("secrets versions increase", slices.IsSorted(versions) && len(slices.Compact(slices.Clone(versions))) == len(versions), "versions %v", versions)
	r.observed["secretsVersions"] = versions
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: goclient <emulator origin> <token>")
		os.Exit(2)
	}
	origin, token := os.Args[1], os.Args[2]
	// flaps takes its base URL from the environment only (NewWithOptions reads FLY_FLAPS_BASE_URL).
	os.Setenv("FLY_FLAPS_BASE_URL", origin)
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Second)
	defer cancel()
	c, err := flaps.NewWithOptions(ctx, flaps.NewClientOpts{Tokens: tokens.Parse(token), UserAgent: "slipway-goclient"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	r := &run{ctx: ctx, c: c, origin: origin, observed: map[string]any{}}
	if _, err := c.CreateApp(ctx, flaps.CreateAppRequest{Name: app, Org: "personal"}); r.step("app create", err) {
		r.machines()
		r.volumes()
		r.secrets()
	}
	out, _ := json.Marshal(map[string]any{"steps": r.steps, "observed": r.observed})
	fmt.Println(string(out))
}
