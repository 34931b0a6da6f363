package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Charts are SVG files drawn by gonum/plot from a results file: an image
// renders the same on GitHub and in any local Markdown viewer, and the
// library draws legends and logarithmic axes, which Mermaid's xychart
// (still marked beta) does not.

// series is one server's line.
type series struct {
	name    string
	chapter bool
	x, y    []float64
}

// lineChart draws one line per server; chapters solid, peers dashed.
func lineChart(title, xLabel, yLabel string, logX bool, all []series) ([]byte, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Y.Min = 0
	p.Y.Tick.Marker = readableTicks{}
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = powersOfTen{}
	}
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	p.Add(plotter.NewGrid())
	ymax := 0.0
	for i, s := range all {
		xy := make(plotter.XYs, len(s.x))
		for j := range s.x {
			xy[j].X, xy[j].Y = s.x[j], s.y[j]
			ymax = math.Max(ymax, s.y[j])
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, err
		}
		l.Color = plotutil.Color(i)
		l.Width = vg.Points(1.5)
		pts.Color = l.Color
		pts.Shape = plotutil.Shape(i)
		if !s.chapter {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(l, pts)
		p.Legend.Add(s.name, l, pts)
	}
	p.Legend.XOffs = -vg.Points(6)
	if logX && len(all) > 0 && len(all[0].x) > 0 {
		// Room on the right for the last tick's label.
		p.X.Max = all[0].x[len(all[0].x)-1] * 1.4
	}
	// Room above the lines for the legend, one row per server.
	p.Y.Max = ymax * (1.15 + 0.06*float64(len(all)))
	return svg(p, 8*vg.Inch, 5*vg.Inch)
}

// bar is one server's bar.
type bar struct {
	name    string
	chapter bool
	value   float64
}

// barChart draws horizontal bars, chapters in one colour and peers in
// another, the value written at the end of each bar.
func barChart(title, xLabel string, bars []bar, format func(float64) string) ([]byte, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.X.Min = 0
	p.X.Tick.Marker = readableTicks{}
	p.Add(plotter.NewGrid())
	names := make([]string, len(bars))
	xmax := 0.0
	for i, b := range bars {
		// NominalY counts from the bottom: put the first server on top.
		row := len(bars) - 1 - i
		names[row] = b.name
		xmax = math.Max(xmax, b.value)
		vals := make(plotter.Values, len(bars))
		vals[row] = b.value
		bc, err := plotter.NewBarChart(vals, vg.Points(14))
		if err != nil {
			return nil, err
		}
		bc.Horizontal = true
		bc.LineStyle.Width = 0
		bc.Color = peerColour
		if b.chapter {
			bc.Color = chapterColour
		}
		p.Add(bc)
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: b.value, Y: float64(row)}}, Labels: []string{" " + format(b.value)}})
		if err != nil {
			return nil, err
		}
		lbl.TextStyle[0].XAlign = draw.XLeft
		lbl.TextStyle[0].YAlign = draw.YCenter
		lbl.TextStyle[0].Font.Size = vg.Points(9)
		p.Add(lbl)
	}
	p.NominalY(names...)
	p.X.Max = xmax * 1.25 // room for the labels
	return svg(p, 8*vg.Inch, vg.Length(1.2+0.3*float64(len(bars)))*vg.Inch)
}

var (
	chapterColour = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	peerColour    = color.RGBA{R: 0xa0, G: 0xa0, B: 0xa0, A: 0xff}
)

// svg draws the plot with a margin: a viewer that lacks the font gonum
// measured text with substitutes a wider one, which would be clipped at
// the edges.
func svg(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.Crop(draw.New(c), vg.Points(12), -vg.Points(24), vg.Points(4), -vg.Points(4)))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	// gonum names the font it measured with; Times New Roman has the same
	// metrics (Liberation Serif was drawn to match it), so name it next.
	return bytes.ReplaceAll(b.Bytes(), []byte("font-family:Liberation Serif;"),
		[]byte("font-family:'Liberation Serif','Times New Roman',Times,serif;")), nil
}

// readableTicks labels gonum's default ticks with thousands separators.
type readableTicks struct{}

func (readableTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = thousands(ticks[i].Value)
			if ticks[i].Value != math.Round(ticks[i].Value) {
				ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', -1, 64)
			}
		}
	}
	return ticks
}

// powersOfTen labels 1, 10, 100, 1000 as written, not as 1e+02.
type powersOfTen struct{}

func (powersOfTen) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for v := 1.0; v <= max*1.0001; v *= 10 {
		if v >= min*0.9999 {
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		}
	}
	return ticks
}

// thousands writes 66123.4 as "66,123".
func thousands(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var b []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}

func fixed(prec int) func(float64) string {
	return func(v float64) string { return fmt.Sprintf("%.*f", prec, v) }
}
