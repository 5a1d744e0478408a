package diffusion.analytic;


/**
 * Small dense linear algebra in double precision for the exact posteriors: products, transposes, the Cholesky factor
 * of a symmetric positive-definite matrix and what it gives (inverse, log-determinant), the pseudo-inverse of a matrix
 * of full row rank.
 */
public final class Dense {

    private Dense() {
    }

    /** A B. */
    public static double[][] multiply(double[][] a, double[][] b) {
        int inner = b.length;
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int k = 0; k < inner; k++) {
                for (int j = 0; j < b[0].length; j++) {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return c;
    }

    /** A v. */
    public static double[] multiply(double[][] a, double[] v) {
        double[] w = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < v.length; j++) {
                w[i] += a[i][j] * v[j];
            }
        }
        return w;
    }

    /** A^T. */
    public static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    /** The lower-triangular L with L L^T = S, for S symmetric positive definite (refused otherwise). */
    public static double[][] cholesky(double[][] s) {
        int d = s.length;
        double[][] l = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = s[i][j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(sum > 0)) {
                        throw new IllegalArgumentException("the matrix is not positive definite (pivot " + i + " = " + sum + ")");
                    }
                    l[i][i] = Math.sqrt(sum); // L_ii = sqrt(S_ii - sum_k L_ik^2)
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        return l;
    }

    /** S^{-1} for S symmetric positive definite, through its Cholesky factor. */
    public static double[][] inverse(double[][] s) {
        int d = s.length;
        double[][] l = cholesky(s);
        double[][] inverse = new double[d][];
        for (int j = 0; j < d; j++) {
            double[] e = new double[d];
            e[j] = 1;
            inverse[j] = solve(l, e);
        }
        return inverse; // symmetric, so its rows are its columns
    }

    /** x with L L^T x = b, for the Cholesky factor L. */
    public static double[] solve(double[][] l, double[] b) {
        int d = b.length;
        double[] y = new double[d];
        for (int i = 0; i < d; i++) {
            double sum = b[i];
            for (int k = 0; k < i; k++) {
                sum -= l[i][k] * y[k];
            }
            y[i] = sum / l[i][i]; // forward substitution L y = b
        }
        double[] x = new double[d];
        for (int i = d - 1; i >= 0; i--) {
            double sum = y[i];
            for (int k = i + 1; k < d; k++) {
                sum -= l[k][i] * x[k];
            }
            x[i] = sum / l[i][i]; // back substitution L^T x = y
        }
        return x;
    }

    /** log det S = 2 sum_i log L_ii. */
    public static double logDeterminant(double[][] l) {
        double sum = 0;
        for (int i = 0; i < l.length; i++) {
            sum += 2 * Math.log(l[i][i]);
        }
        return sum;
    }

    /**
     * W^+ = W^T (W W^T)^{-1}, for W of full row rank: refused when a Cholesky pivot of W W^T falls below 1e-10 times
     * its largest diagonal entry (a rank deficiency in double precision).
     */
    public static double[][] pseudoInverse(double[][] w) {
        double[][] gram = multiply(w, transpose(w));
        double largest = 0;
        for (int i = 0; i < gram.length; i++) {
            largest = Math.max(largest, gram[i][i]);
        }
        double[][] l;
        try {
            l = cholesky(gram);
        } catch (IllegalArgumentException e) {
            l = null;
        }
        for (int i = 0; l != null && i < l.length; i++) {
            if (l[i][i] * l[i][i] < 1e-10 * largest) {
                l = null;
            }
        }
        if (l == null) {
            throw new IllegalArgumentException("the operator's matrix does not have full row rank (W W^T is singular to 1e-10)");
        }
        return multiply(transpose(w), inverse(gram));
    }

    /** The matrix as float32, row-major, for NDArrays. */
    public static float[][] toFloat(double[][] a) {
        float[][] f = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            f[i] = new float[a[i].length];
            for (int j = 0; j < a[i].length; j++) {
                f[i][j] = (float) a[i][j];
            }
        }
        return f;
    }
}
