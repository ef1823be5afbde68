// Command failures prints a user pool's sign-in, sign-up, token-refresh and
// federation figures from CloudWatch: attempts, failures (SampleCount - Sum of
// the *Successes metrics), throttles and failure rates, for the pool and per
// app client.
//
// Without -user-pool it runs against a simulated pool served by the
// cognitomontest HTTP fake, through the real CloudWatch client:
//
//	go run ./examples/failures
//	go run ./examples/failures -user-pool us-east-1_AbCdEf123 -since 24h
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

func main() {
	pool := flag.String("user-pool", "", "user pool ID; empty runs against a simulated pool")
	since := flag.Duration("since", 24*time.Hour, "report on this much time before now")
	period := flag.Duration("period", 5*time.Minute, "metric period")
	clients := flag.String("clients", "", "comma-separated app client IDs (default: discover with ListMetrics)")
	region := flag.String("region", "", "AWS Region (default: from the environment)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *pool, *since, *period, *clients, *region); err != nil {
		fmt.Fprintln(os.Stderr, "failures:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, pool string, since, period time.Duration, clients, region string) error {
	now := time.Now()
	var cfg aws.Config
	if pool == "" {
		// The simulated pool, served over HTTP so the real client runs.
		sim := cognitomontest.NewPool("us-east-1_DemoPool1")
		cognitomontest.SimulateTraffic(sim, cognitomon.Last(since, now), cognitomontest.TrafficOptions{Seed: 1})
		srv := cognitomontest.NewServer([]*cognitomontest.Pool{sim})
		defer srv.Close()
		cfg = srv.AWSConfig()
		pool = string(sim.ID())
		fmt.Fprintf(w, "(simulated pool %s served on %s; pass -user-pool to read a real one)\n\n", pool, srv.URL)
	} else {
		var opts []func(*config.LoadOptions) error
		if region != "" {
			opts = append(opts, config.WithRegion(region))
		}
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, opts...); err != nil {
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
	in := cognitomon.StatsInput{UserPool: id, Range: cognitomon.Last(since, now), Period: period}
	if clients != "" {
		for _, c := range strings.Split(clients, ",") {
			cid, err := cognitomon.ParseClientID(strings.TrimSpace(c))
			if err != nil {
				return err
			}
			in.Clients = append(in.Clients, cid)
		}
	}
	mc := cognitomon.NewMetricsClient(cloudwatch.NewFromConfig(cfg))
	st, err := mc.Stats(ctx, in)
	if err != nil {
		if errors.Is(err, cognitomon.ErrThrottled) {
			return fmt.Errorf("%w (CloudWatch kept throttling; try again later or a longer -period)", err)
		}
		return err
	}
	return printStats(w, st)
}

func printStats(w io.Writer, st *cognitomon.Stats) error {
	fmt.Fprintf(w, "user pool %s, %s (period %s)\n\n", st.UserPool, st.Range, st.Period)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, c cognitomon.Counts) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.1f%%\t\n", name, c.Attempts, c.Successes, c.Failures(), c.Throttles, 100*c.FailureRate())
	}
	fmt.Fprintln(tw, "flow\tattempts\tsuccesses\tfailures\tthrottles\tfailure rate\t")
	for _, fs := range st.Flows {
		row(fs.Flow.String(), fs.Counts)
	}
	for _, fs := range st.Flows {
		if len(fs.Clients) == 0 {
			continue
		}
		fmt.Fprintf(tw, "\t\t\t\t\t\t\n%s per client\t\t\t\t\t\t\n", fs.Flow)
		for _, c := range fs.Clients {
			row(string(c.Client), c.Counts)
		}
		if len(fs.Providers) > 0 {
			fmt.Fprintf(tw, "\t\t\t\t\t\t\n%s per identity provider\t\t\t\t\t\t\n", fs.Flow)
			for _, p := range fs.Providers {
				row(p.Provider, p.Counts)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, warn := range st.Warnings {
		fmt.Fprintln(w, "note:", warn)
	}
	fmt.Fprintf(w, "\n%d GetMetricData calls, %d metrics requested, %d ListMetrics calls\n", st.Usage.GetMetricDataCalls, st.Usage.MetricsRequested, st.Usage.ListMetricsCalls)
	return nil
}
