// Command goclient drives the GitHub emulator with go-github v88 (the client terraform-provider-github v6.13
// uses) through the calls the provider makes for slipway's resources, and prints what it observed as one JSON
// object on stdout. The vitest side asserts on it; any client-side error (a response go-github cannot parse,
// an unexpected status) ends the run with {"error": ...} and exit status 1.
//
// Usage: goclient <api base URL ending in /api/v3/> <token> <environment name>
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/google/go-github/v88/github"
	"golang.org/x/crypto/nacl/box"
)

var observed = map[string]any{}

func fail(step string, err error) {
	out, _ := json.Marshal(map[string]any{"error": fmt.Sprintf("%s: %v", step, err), "observed": observed})
	fmt.Println(string(out))
	os.Exit(1)
}

// step names the call in flight, for the error report.
var step string

// must ends the run on a client error, and on a rate-limit budget go-github parsed as exhausted (it would then
// sleep until the reset time, stalling the provider).
func must[T any](v T, r *github.Response, err error) T {
	if err != nil {
		fail(step, err)
	}
	if r != nil && r.Rate.Remaining <= 0 {
		fail(step, fmt.Errorf("rate limit remaining %d", r.Rate.Remaining))
	}
	return v
}

func statusOf(err error) int {
	var ge *github.ErrorResponse
	if errors.As(err, &ge) && ge.Response != nil {
		return ge.Response.StatusCode
	}
	return 0
}

func main() {
	if len(os.Args) != 4 {
		fail("usage", errors.New("goclient <base URL> <token> <environment>"))
	}
	base, token, envName := os.Args[1], os.Args[2], os.Args[3]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := github.NewClient(github.WithAuthToken(token), github.WithEnterpriseURLs(base, base))
	if err != nil {
		fail("client", err)
	}

	// Configure time: who is the token, is the owner an organization.
	step = "users.get"
	u := must(c.Users.Get(ctx, ""))
	observed["user"] = u.GetLogin()
	step = "orgs.get"
	org := must(c.Organizations.Get(ctx, "acme"))
	observed["org"] = org.GetLogin()
	_, _, err = c.Organizations.Get(ctx, u.GetLogin())
	observed["userAsOrgStatus"] = statusOf(err)
	step = "repos.get"
	repo := must(c.Repositories.Get(ctx, "acme", "app"))
	observed["repoId"] = repo.GetID()
	repoID := int(repo.GetID())

	// The provider escapes the environment name itself (slashes become %2F).
	env := url.PathEscape(envName)
	step = "env.create"
	must(c.Repositories.CreateUpdateEnvironment(ctx, "acme", "app", env, &github.CreateUpdateEnvironment{
		CanAdminsBypass: github.Ptr(true), PreventSelfReview: github.Ptr(false),
	}))
	step = "env.update"
	must(c.Repositories.CreateUpdateEnvironment(ctx, "acme", "app", env, &github.CreateUpdateEnvironment{
		WaitTimer: github.Ptr(30), CanAdminsBypass: github.Ptr(false), PreventSelfReview: github.Ptr(true),
		Reviewers: []*github.EnvReviewers{
			{Type: github.Ptr("User"), ID: github.Ptr(int64(501))},
			{Type: github.Ptr("Team"), ID: github.Ptr(int64(601))},
		},
		DeploymentBranchPolicy: &github.BranchPolicy{ProtectedBranches: github.Ptr(false), CustomBranchPolicies: github.Ptr(true)},
	}))
	step = "env.get"
	e := must(c.Repositories.GetEnvironment(ctx, "acme", "app", env))
	rules := []string{}
	for _, pr := range e.ProtectionRules {
		switch pr.GetType() {
		case "wait_timer":
			rules = append(rules, fmt.Sprintf("wait_timer:%d", pr.GetWaitTimer()))
		case "required_reviewers":
			rules = append(rules, fmt.Sprintf("required_reviewers:prevent_self_review=%t", pr.GetPreventSelfReview()))
			for _, rv := range pr.Reviewers {
				switch r := rv.Reviewer.(type) {
				case *github.User:
					rules = append(rules, fmt.Sprintf("reviewer:User:%d:%s", r.GetID(), r.GetLogin()))
				case *github.Team:
					rules = append(rules, fmt.Sprintf("reviewer:Team:%d:%s", r.GetID(), r.GetSlug()))
				}
			}
		default:
			rules = append(rules, pr.GetType())
		}
	}
	observed["envName"] = e.GetName()
	observed["rules"] = rules
	observed["canAdminsBypass"] = e.GetCanAdminsBypass()
	observed["customBranchPolicies"] = e.GetDeploymentBranchPolicy().GetCustomBranchPolicies()

	// Deployment policies: a duplicate create answers 303, which Go's client follows to the existing policy.
	step = "policy.create"
	p := must(c.Repositories.CreateDeploymentBranchPolicy(ctx, "acme", "app", env,
		&github.DeploymentBranchPolicyRequest{Name: github.Ptr("v*"), Type: github.Ptr("tag")}))
	step = "policy.duplicate"
	dup := must(c.Repositories.CreateDeploymentBranchPolicy(ctx, "acme", "app", env,
		&github.DeploymentBranchPolicyRequest{Name: github.Ptr("v*"), Type: github.Ptr("tag")}))
	observed["duplicatePolicySameId"] = dup.GetID() == p.GetID()
	step = "policy.update"
	must(c.Repositories.UpdateDeploymentBranchPolicy(ctx, "acme", "app", env, p.GetID(),
		&github.DeploymentBranchPolicyRequest{Name: github.Ptr("v2.*")}))
	step = "policy.get"
	p = must(c.Repositories.GetDeploymentBranchPolicy(ctx, "acme", "app", env, p.GetID()))
	observed["policy"] = p.GetType() + ":" + p.GetName()

	// Environment secret on the legacy /repositories/{id}/... routes, sealed as the provider seals it.
	step = "secret.key"
	key := must(c.Actions.GetEnvPublicKey(ctx, repoID, env))
	raw, err := base64.StdEncoding.DecodeString(key.GetKey())
	if err != nil || len(raw) != 32 {
		fail("secret.key.decode", fmt.Errorf("key %q: %v", key.GetKey(), err))
	}
	var pk [32]byte
	copy(pk[:], raw)
	sealed, err := box.SealAnonymous(nil, []byte("sealed-by-go"), &pk, rand.Reader)
	if err != nil {
		fail("secret.seal", err)
	}
	value := base64.StdEncoding.EncodeToString(sealed)
	r, err := c.Actions.CreateOrUpdateEnvSecret(ctx, repoID, env, &github.EncryptedSecret{Name: "db_password", KeyID: key.GetKeyID(), EncryptedValue: value})
	if err != nil {
		fail("secret.put", err)
	}
	observed["secretPutStatus"] = r.StatusCode
	step = "secret.get"
	s := must(c.Actions.GetEnvSecret(ctx, repoID, env, "db_password"))
	observed["secretName"] = s.Name
	_, err = c.Actions.CreateOrUpdateEnvSecret(ctx, repoID, env, &github.EncryptedSecret{Name: "other", KeyID: "0", EncryptedValue: value})
	observed["wrongKeyStatus"] = statusOf(err)

	// Environment variable: create, update, read.
	if _, err := c.Actions.CreateEnvVariable(ctx, "acme", "app", env, &github.ActionsVariable{Name: "region", Value: "eu"}); err != nil {
		fail("variable.create", err)
	}
	if _, err := c.Actions.UpdateEnvVariable(ctx, "acme", "app", env, &github.ActionsVariable{Name: "region", Value: "us"}); err != nil {
		fail("variable.update", err)
	}
	step = "variable.get"
	v := must(c.Actions.GetEnvVariable(ctx, "acme", "app", env, "region"))
	observed["variable"] = v.Name + "=" + v.Value

	// Webhook: create, edit with the whole hook (its own url included, as the provider sends), read, delete.
	step = "hook.create"
	h := must(c.Repositories.CreateHook(ctx, "acme", "app", &github.Hook{
		Events: []string{"push"}, Active: github.Ptr(true),
		Config: &github.HookConfig{URL: github.Ptr("https://ci.example.com/a"), ContentType: github.Ptr("json"), InsecureSSL: github.Ptr("0"), Secret: github.Ptr("s3cret")},
	}))
	observed["hookSecret"] = h.GetConfig().GetSecret()
	observed["hookInsecureSSL"] = h.GetConfig().GetInsecureSSL()
	step = "hook.edit"
	must(c.Repositories.EditHook(ctx, "acme", "app", h.GetID(), &github.Hook{
		URL: h.URL, Events: []string{"push", "deployment"}, Active: github.Ptr(false),
		Config: &github.HookConfig{URL: github.Ptr("https://ci.example.com/b"), ContentType: github.Ptr("json"), InsecureSSL: github.Ptr("0"), Secret: github.Ptr("s3cret")},
	}))
	step = "hook.get"
	h = must(c.Repositories.GetHook(ctx, "acme", "app", h.GetID()))
	observed["hook"] = fmt.Sprintf("%s active=%t events=%v", h.GetConfig().GetURL(), h.GetActive(), h.Events)
	if _, err := c.Repositories.DeleteHook(ctx, "acme", "app", h.GetID()); err != nil {
		fail("hook.delete", err)
	}
	_, _, err = c.Repositories.GetHook(ctx, "acme", "app", h.GetID())
	observed["deletedHookStatus"] = statusOf(err)

	// The test injects one 429 on the license lookup: go-github must see GitHub's secondary rate limit, with
	// the Retry-After the provider's transport waits for, and get through once it has passed.
	_, _, err = c.Repositories.License(ctx, "acme", "app")
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &abuse) && abuse.RetryAfter != nil {
		observed["secondaryRateLimitRetryAfter"] = abuse.RetryAfter.Seconds()
		time.Sleep(*abuse.RetryAfter + 200*time.Millisecond)
	} else {
		observed["secondaryRateLimitRetryAfter"] = fmt.Sprint(err)
	}
	_, _, err = c.Repositories.License(ctx, "acme", "app")
	observed["licenseStatus"] = statusOf(err)

	out, _ := json.Marshal(observed)
	fmt.Println(string(out))
}
