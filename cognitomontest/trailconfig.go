package cognitomontest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TrailSetup is one CloudTrail trail as the trail operations describe it.
type TrailSetup struct {
	// Trail is what DescribeTrails lists. TrailARN and Name are required.
	Trail cttypes.Trail
	// Status is what GetTrailStatus returns for it.
	Status cloudtrail.GetTrailStatusOutput
	// EventSelectors or AdvancedEventSelectors are what GetEventSelectors
	// returns (a trail has one kind or the other, FACTS.md 9.2).
	EventSelectors         []cttypes.EventSelector
	AdvancedEventSelectors []cttypes.AdvancedEventSelector
}

// DefaultTrail returns a logging multi-Region trail with home Region region
// and no custom event selectors, delivering to an S3 bucket and to the Logs
// fake's default trail log group, "aws-cloudtrail-logs-cognitomon".
func DefaultTrail(region, account string) TrailSetup {
	delivered := time.Now().UTC().Add(-3 * time.Minute).Truncate(time.Second)
	return TrailSetup{
		Trail: cttypes.Trail{
			Name:                       aws.String("management-events"),
			TrailARN:                   aws.String("arn:aws:cloudtrail:" + region + ":" + account + ":trail/management-events"),
			HomeRegion:                 aws.String(region),
			IsMultiRegionTrail:         aws.Bool(true),
			IsOrganizationTrail:        aws.Bool(false),
			IncludeGlobalServiceEvents: aws.Bool(true),
			HasCustomEventSelectors:    aws.Bool(false),
			HasInsightSelectors:        aws.Bool(false),
			LogFileValidationEnabled:   aws.Bool(true),
			S3BucketName:               aws.String("cognitomon-trail-" + account),
			S3KeyPrefix:                aws.String("cloudtrail"),
			CloudWatchLogsLogGroupArn:  aws.String("arn:aws:logs:" + region + ":" + account + ":log-group:aws-cloudtrail-logs-cognitomon:*"),
			CloudWatchLogsRoleArn:      aws.String("arn:aws:iam::" + account + ":role/CloudTrailRoleForCloudWatchLogs"),
		},
		Status: cloudtrail.GetTrailStatusOutput{
			IsLogging:                        aws.Bool(true),
			LatestDeliveryTime:               aws.Time(delivered),
			LatestCloudWatchLogsDeliveryTime: aws.Time(delivered),
			StartLoggingTime:                 aws.Time(delivered.Add(-90 * 24 * time.Hour)),
		},
	}
}

// Trails is an in-memory fake of CloudTrail's trail operations
// (DescribeTrails, GetTrailStatus, GetEventSelectors) over the trails of
// the pools' configurations (PoolConfig.Trails). It implements
// cognitomon.TrailInspectAPI. A trail listed by several pools is listed
// once per pool, as a caller must expect duplicates (FACTS.md 9.5 item 3);
// a trail whose home Region is not the listing pool's is a shadow trail,
// which GetTrailStatus and GetEventSelectors find by ARN only.
type Trails struct {
	pools []*Pool

	mu      sync.Mutex
	calls   map[string]int
	failing map[string][]error
}

// NewTrails returns a Trails fake over the given pools.
func NewTrails(pools []*Pool) *Trails {
	return &Trails{pools: slices.Clone(pools), calls: map[string]int{}, failing: map[string][]error{}}
}

// register adds the fake's operations to the server's routes.
func (f *Trails) register(r routes) {
	r["CloudTrail.DescribeTrails"] = op(f.DescribeTrails)
	r["CloudTrail.GetTrailStatus"] = op(f.GetTrailStatus)
	r["CloudTrail.GetEventSelectors"] = op(f.GetEventSelectors)
}

// FailNext makes the next call of operation ("DescribeTrails",
// "GetTrailStatus", "GetEventSelectors") return err.
func (f *Trails) FailNext(operation string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failing[operation] = append(f.failing[operation], err)
}

// Calls returns how many calls of operation the fake received.
func (f *Trails) Calls(operation string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[operation]
}

func (f *Trails) begin(ctx context.Context, operation string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[operation]++
	if q := f.failing[operation]; len(q) > 0 {
		err := q[0]
		f.failing[operation] = q[1:]
		return err
	}
	return nil
}

// listed is one trail as one pool lists it.
type listed struct {
	setup  TrailSetup
	shadow bool
}

func (f *Trails) all() []listed {
	var out []listed
	for _, p := range f.pools {
		for _, t := range p.Config().Trails {
			out = append(out, listed{t, aws.ToString(t.Trail.HomeRegion) != p.id.Region()})
		}
	}
	return out
}

// find returns the trail that name (a name or an ARN) names; a shadow
// trail only by ARN (FACTS.md 9.2).
func (f *Trails) find(name string) (TrailSetup, error) {
	if name == "" {
		return TrailSetup{}, &cttypes.InvalidTrailNameException{Message: aws.String("Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")}
	}
	for _, l := range f.all() {
		if aws.ToString(l.setup.Trail.TrailARN) == name || (!l.shadow && aws.ToString(l.setup.Trail.Name) == name) {
			return l.setup, nil
		}
	}
	return TrailSetup{}, &cttypes.TrailNotFoundException{Message: aws.String("Unknown trail: " + name + " for the user")}
}

// DescribeTrails lists the trails, shadow trails included unless
// includeShadowTrails is false (its default is true), filtered by
// trailNameList (names match non-shadow trails only, ARNs any).
func (f *Trails) DescribeTrails(ctx context.Context, in *cloudtrail.DescribeTrailsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	if err := f.begin(ctx, "DescribeTrails"); err != nil {
		return nil, err
	}
	if in == nil {
		in = &cloudtrail.DescribeTrailsInput{}
	}
	shadows := in.IncludeShadowTrails == nil || *in.IncludeShadowTrails
	out := &cloudtrail.DescribeTrailsOutput{TrailList: []cttypes.Trail{}}
	for _, l := range f.all() {
		if l.shadow && !shadows {
			continue
		}
		if len(in.TrailNameList) > 0 && !slices.Contains(in.TrailNameList, aws.ToString(l.setup.Trail.TrailARN)) &&
			(l.shadow || !slices.Contains(in.TrailNameList, aws.ToString(l.setup.Trail.Name))) {
			continue
		}
		out.TrailList = append(out.TrailList, l.setup.Trail)
	}
	return out, nil
}

// GetTrailStatus returns the trail's status.
func (f *Trails) GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	if err := f.begin(ctx, "GetTrailStatus"); err != nil {
		return nil, err
	}
	if in == nil {
		in = &cloudtrail.GetTrailStatusInput{}
	}
	t, err := f.find(aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	st := t.Status
	return &st, nil
}

// GetEventSelectors returns the trail's selectors. A trail with neither
// kind set answers with the default selector: all management events.
func (f *Trails) GetEventSelectors(ctx context.Context, in *cloudtrail.GetEventSelectorsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error) {
	if err := f.begin(ctx, "GetEventSelectors"); err != nil {
		return nil, err
	}
	if in == nil {
		in = &cloudtrail.GetEventSelectorsInput{}
	}
	t, err := f.find(aws.ToString(in.TrailName))
	if err != nil {
		return nil, err
	}
	out := &cloudtrail.GetEventSelectorsOutput{TrailARN: t.Trail.TrailARN, EventSelectors: t.EventSelectors, AdvancedEventSelectors: t.AdvancedEventSelectors}
	if out.EventSelectors == nil && out.AdvancedEventSelectors == nil {
		out.EventSelectors = []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true)}}
	}
	return out, nil
}
