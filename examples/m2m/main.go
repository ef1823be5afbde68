// Command m2m reports machine-to-machine token use per app client: the
// client_credentials requests to the token endpoint (CloudTrail's Token_POST
// events), their failures, requests per hour and source addresses. A client
// that caches its tokens (valid an hour by default) needs about one request
// an hour per instance; hundreds mean it asks for a token on every call.
//
// Without -user-pool it reads a simulated pool served by the cognitomontest
// HTTP fake, through the real CloudTrail client:
//
//	go run ./examples/m2m
//	go run ./examples/m2m -user-pool us-east-1_AbCdEf123 -since 24h
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/analysis"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

func main() {
	pool := flag.String("user-pool", "", "user pool ID; empty runs against a simulated pool")
	since := flag.Duration("since", 6*time.Hour, "report on this much time before now")
	price := flag.Float64("price", analysis.DefaultM2MPrice().PerThousand, "US dollars per 1,000 successful token requests (default: the published first tier as of "+analysis.DefaultM2MPrice().AsOf+")")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "%s: unexpected argument %q: this example takes only flags\n", "m2m", flag.Arg(0))
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, *pool, *since, analysis.M2MPrice{PerThousand: *price}); err != nil {
		fmt.Fprintln(os.Stderr, "m2m:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, pool string, since time.Duration, price analysis.M2MPrice) error {
	now := time.Now()
	r := cognitomon.Last(since, now)
	var cfg aws.Config
	rate := 2.0 // CloudTrail's limit per account and Region
	if pool == "" {
		sim := cognitomontest.NewPool("us-east-1_DemoPool1")
		cognitomontest.SimulateTraffic(sim, r, cognitomontest.TrafficOptions{Seed: 3})
		cognitomontest.MisbehavingMachine(sim, "5reports0machine0client00", now.Add(-2*time.Hour), 2*time.Hour, 300, 20)
		srv := cognitomontest.NewServer([]*cognitomontest.Pool{sim})
		defer srv.Close()
		cfg, pool, rate = srv.AWSConfig(), string(sim.ID()), 200
		fmt.Fprintf(w, "(simulated pool %s; pass -user-pool to read a real one)\n\n", pool)
	} else {
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx); err != nil {
			return err
		}
		if cfg.Region == "" {
			cfg.Region = cognitomon.UserPoolID(pool).Region()
		}
	}
	id, err := cognitomon.ParseUserPoolID(pool)
	if err != nil {
		return err
	}
	tc := cognitomon.NewTrailClient(cloudtrail.NewFromConfig(cfg, cognitomon.WithoutThrottleRetries), func(o *cognitomon.TrailOptions) { o.RequestsPerSecond = rate })
	m2m := analysis.NewM2MAnalyzer()
	// Both token endpoints (Token_POST and Beta_Token_POST) serve
	// client_credentials; the scope keeps the pool's own events.
	filter := cognitomon.EventFilter{Range: r, Families: []cognitomon.EndpointFamily{cognitomon.FamilyToken}, Kinds: []cognitomon.EventKind{cognitomon.KindM2MToken}}
	cov, err := cognitomon.Consume(ctx, tc.Events(ctx, filter), cognitomon.Scope{UserPool: id, Range: r}, m2m)
	if err != nil {
		return err
	}
	for _, g := range cov.Gaps() {
		fmt.Fprintf(w, "coverage gap: %s\n", g)
	}
	s := m2m.Summary()
	fmt.Fprintf(w, "client_credentials token requests for %s, %s: %d, %d failed\n\n", id, r, s.Counts.Attempts, s.Counts.Failures())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "client\trequests\tfailures\tper hour\tcost\tsource addresses")
	for _, c := range s.Clients {
		ips := ""
		for i, it := range c.SourceIPs.Items {
			if i == 3 {
				ips += fmt.Sprintf(" and %d more", len(c.SourceIPs.Items)-3)
				break
			}
			ips += it.Key + " "
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t$%.2f\t%s\n", c.ClientID, c.Counts.Attempts, c.Counts.Failures(), c.PerHour, c.Cost(price), ips)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// Cognito bills each successful client_credentials response
	// (FACTS.md 9.4 d); the $6.00 per app client and month is extra.
	_, err = fmt.Fprintf(w, "\ncost of the successful requests: $%.2f at $%.2f per 1,000\n", s.Cost(price), price.PerThousand)
	return err
}
