package diffusion.report;

import diffusion.Arguments;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.FloatColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.NumberColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Result tables: CSV under results/tables at full precision, HTML for inline display with doubles
 * rounded to {@value #SIGNIFICANT_DIGITS} significant digits.
 */
public final class Tables {

    /** Significant digits of floating-point cells in HTML. */
    public static final int SIGNIFICANT_DIGITS = 4;

    private Tables() {}

    /**
     * Writes results/tables/NAME.csv (full precision) atomically (see AtomicFile: a failed write leaves an earlier CSV
     * intact and throws UncheckedIOException naming the file) and returns {@link #html}(name, table).
     */
    public static String save(String name, Table table) {
        Arguments.nonNull("table", table);
        Path csv = Results.file(Results.tables(), name, "csv");
        AtomicFile.write(csv, out -> table.write().csv(out));
        return html(name, table);
    }

    /** A plain HTML table with the given caption; floating-point cells via {@link #format}, missing cells empty. */
    public static String html(String caption, Table table) {
        StringBuilder html = new StringBuilder("<table>\n<caption>").append(escape(caption)).append("</caption>\n<thead><tr>");
        for (Column<?> column : table.columns()) {
            html.append("<th>").append(escape(column.name())).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (int row = 0; row < table.rowCount(); row++) {
            html.append("<tr>");
            for (Column<?> column : table.columns()) {
                boolean numeric = column instanceof NumberColumn;
                html.append(numeric ? "<td style=\"text-align:right\">" : "<td>").append(escape(cell(column, row))).append("</td>");
            }
            html.append("</tr>\n");
        }
        return html.append("</tbody>\n</table>").toString();
    }

    /** value rounded to {@value #SIGNIFICANT_DIGITS} significant digits: plain for 1e-3 &lt;= |value| &lt; 1e6, else scientific. */
    public static String format(double value) {
        if (!Double.isFinite(value) || value == 0) {
            return value == 0 ? "0" : String.valueOf(value);
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1e-3 && magnitude < 1e6) {
            return new BigDecimal(value).round(new MathContext(SIGNIFICANT_DIGITS)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%." + (SIGNIFICANT_DIGITS - 1) + "e", value);
    }

    /** A builder for a table named name with the given column names; see {@link Builder#row}. */
    public static Builder of(String name, String... columns) {
        return new Builder(name, columns);
    }

    private static String cell(Column<?> column, int row) {
        if (column.isMissing(row)) {
            return "";
        }
        if (column instanceof DoubleColumn || column instanceof FloatColumn) { // not type() ==: Tablesaw's type singletons can be duplicated
            return format(((NumberColumn<?, ?>) column).getDouble(row));
        }
        return column.getString(row);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * Collects rows, then builds a Table whose column types follow the values: all integral
     * (Byte, Short, Integer, Long) gives a LongColumn, all numbers a DoubleColumn, anything else a
     * StringColumn of String.valueOf.
     */
    public static final class Builder {
        private final String name;
        private final String[] columns;
        private final List<Object[]> rows = new ArrayList<>();

        private Builder(String name, String[] columns) {
            if (columns.length < 1) {
                throw new IllegalArgumentException("columns is empty; at least one column name is required");
            }
            this.name = name;
            this.columns = columns.clone();
        }

        /** Appends one row; values.length must equal the number of columns and no value may be null. */
        public Builder row(Object... values) {
            if (values.length != columns.length) {
                throw new IllegalArgumentException("row has " + values.length + " values " + Arrays.toString(values)
                        + "; expected " + columns.length + " for columns " + Arrays.toString(columns));
            }
            for (int c = 0; c < values.length; c++) {
                if (values[c] == null) {
                    throw new IllegalArgumentException("value for column \"" + columns[c] + "\" is null; a value is required");
                }
            }
            rows.add(values.clone());
            return this;
        }

        /** The table named name with the collected rows. */
        public Table table() {
            Table table = Table.create(name);
            for (int c = 0; c < columns.length; c++) {
                table.addColumns(column(c));
            }
            return table;
        }

        /** {@link Tables#save}(name, table()): writes the CSV and returns the HTML. */
        public String save() {
            return Tables.save(name, table());
        }

        private Column<?> column(int c) {
            boolean integral = true;
            boolean numeric = true;
            for (Object[] row : rows) {
                Object value = row[c];
                integral &= value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte;
                numeric &= value instanceof Number;
            }
            if (integral) {
                LongColumn column = LongColumn.create(columns[c]);
                rows.forEach(row -> column.append(((Number) row[c]).longValue()));
                return column;
            }
            if (numeric) {
                DoubleColumn column = DoubleColumn.create(columns[c]);
                rows.forEach(row -> column.append(((Number) row[c]).doubleValue()));
                return column;
            }
            StringColumn column = StringColumn.create(columns[c]);
            rows.forEach(row -> column.append(String.valueOf(row[c])));
            return column;
        }
    }
}
