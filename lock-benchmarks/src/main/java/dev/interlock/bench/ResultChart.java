package dev.interlock.bench;

import dev.interlock.bench.impl.Impl;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The chart of a run: one panel per scenario with the throughput of each implementation (for P1 and P5, pairs per
 * second = 1 / median latency), Interlock always first and in the same colour, and a panel with the targets.
 */
final class ResultChart {

    private static final int WIDTH = 1800;
    private static final int HEIGHT = 1050;
    private static final Color[] COLORS = {
        new Color(0xD6, 0x27, 0x28), // Interlock
        new Color(0x7F, 0x7F, 0x7F), // GET_LOCK
        new Color(0x1F, 0x77, 0xB4), // row-per-lock
        new Color(0x2C, 0xA0, 0x2C), // ShedLock
        new Color(0xFF, 0x7F, 0x0E), // naive blob
    };

    private ResultChart() {
    }

    static void write(Results r, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 26));
            g.drawString("Interlock vs baselines — " + r.name() + (r.quick() ? " (quick run)" : " (full run)")
                    + " — " + r.targetsLine(), 30, 42);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
            g.drawString("higher is better in every panel; " + r.machine().getOrDefault("summary", ""), 30, 68);
            int top = 85;
            int cellW = WIDTH / 3;
            int cellH = (HEIGHT - top) / 2;
            Scenario[] panels = {Scenario.P1, Scenario.P2, Scenario.P3, Scenario.P4, Scenario.P5};
            for (int i = 0; i < panels.length; i++) {
                JFreeChart chart = panel(r, panels[i]);
                chart.draw(g, new Rectangle2D.Double((i % 3) * cellW + 5, top + (i / 3) * cellH + 5, cellW - 10,
                        cellH - 10));
            }
            drawTargets(g, r, 2 * cellW + 5, top + cellH + 5, cellW - 10, cellH - 10);
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", png.toFile());
    }

    private static JFreeChart panel(Results r, Scenario scenario) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<Impl> impls = r.impls();
        for (Impl impl : impls) {
            r.measurements().stream()
                    .filter(m -> m.scenario() == scenario && m.impl() == impl)
                    .sorted(java.util.Comparator.comparingInt(Measurement::held))
                    .forEach(m -> data.addValue(m.perSecond(), impl.label(),
                            scenario == Scenario.P5 ? String.format(Locale.ROOT, "%,d held", m.held()) : scenario.name()));
        }
        String axis = switch (scenario) {
            case P1, P5 -> "pairs/s (1 / median latency)";
            case P4 -> "acquisitions/s";
            default -> "pairs/s";
        };
        JFreeChart chart = ChartFactory.createBarChart(scenario.name() + ": " + scenario.title(), null, axis, data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setTitle(new TextTitle(scenario.name() + ": " + scenario.title(), new Font(Font.SANS_SERIF, Font.BOLD, 17)));
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(new Color(0xF7, 0xF7, 0xF7));
        plot.setRangeGridlinePaint(new Color(0xBB, 0xBB, 0xBB));
        plot.getDomainAxis().setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        NumberAxis range = (NumberAxis) plot.getRangeAxis();
        range.setNumberFormatOverride(new DecimalFormat("#,##0"));
        range.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        range.setUpperMargin(0.15);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        for (Impl impl : impls) {
            int series = data.getRowIndex(impl.label());
            if (series >= 0) {
                renderer.setSeriesPaint(series, COLORS[impl.ordinal() % COLORS.length]);
            }
        }
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("#,##0")));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, scenario == Scenario.P5 ? 10 : 13));
        renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12,
                TextAnchor.BOTTOM_CENTER));
        chart.getLegend().setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        return chart;
    }

    private static void drawTargets(Graphics2D g, Results r, int x, int y, int w, int h) {
        g.setColor(new Color(0xF7, 0xF7, 0xF7));
        g.fillRect(x, y, w, h);
        g.setColor(new Color(0xBB, 0xBB, 0xBB));
        g.setStroke(new BasicStroke(1));
        g.drawRect(x, y, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        g.drawString("Targets (Interlock ÷ baseline): " + r.targetsMet() + " of " + r.targets().size() + " met",
                x + 15, y + 30);
        int line = y + 62;
        for (Target.Outcome t : r.targets()) {
            boolean met = t.status() == Target.Status.MET;
            g.setColor(met ? new Color(0x2C, 0xA0, 0x2C) : t.status() == Target.Status.MISSED
                    ? new Color(0xD6, 0x27, 0x28) : Color.GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(met ? "met" : t.status() == Target.Status.MISSED ? "MISSED" : "n/a", x + 15, line);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            g.drawString(t.target().describe(), x + 90, line);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString("measured " + t.ratio().map(v -> Target.format(v) + "x").orElse("—"), x + 90, line + 20);
            line += 52;
        }
    }
}
