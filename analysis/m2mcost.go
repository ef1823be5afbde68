package analysis

// M2MPrice is the price of machine-to-machine token requests: Cognito bills
// each successful client_credentials token response (FACTS.md 9.4 d). The
// zero value means DefaultM2MPrice.
type M2MPrice struct {
	// PerThousand is the price in US dollars of 1,000 successful token
	// requests.
	PerThousand float64
	// AsOf says when the price was published, as a date (2006-01-02).
	AsOf string
}

// DefaultM2MPrice returns the first-tier price that FACTS.md 9.4 d gives:
// $2.25 per 1,000 token requests, announced on 2024-05-09 (charged from
// 2024-07-09). FACTS marks the figure [P], from secondary sources quoting
// AWS; the tiers beyond 250,000 requests a month and the dates on AWS's
// own page are [X]. Pass the price from your bill where it differs.
func DefaultM2MPrice() M2MPrice { return M2MPrice{PerThousand: 2.25, AsOf: "2024-05-09"} }

func (p M2MPrice) orDefault() M2MPrice {
	if p.PerThousand == 0 {
		return DefaultM2MPrice()
	}
	return p
}

// Cost returns what the client's successful token requests cost at price
// p: Counts.Successes times the price per request, at the first tier's
// price for every request (graduated tiers are not applied: FACTS.md 9.4 d
// does not give them). The $6.00 per app client and month is not
// included. When Missed is not 0 the figure is a lower bound.
func (c M2MClient) Cost(p M2MPrice) float64 {
	return float64(c.Counts.Successes) * p.orDefault().PerThousand / 1000
}

// Cost returns what all successful token requests cost at price p, as
// M2MClient.Cost computes it.
func (s M2MSummary) Cost(p M2MPrice) float64 {
	return float64(s.Counts.Successes) * p.orDefault().PerThousand / 1000
}
