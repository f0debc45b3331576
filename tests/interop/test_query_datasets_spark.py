"""Datasets defined by SQL (issue 13): a medallion pipeline whose silver and gold datasets are Spark
SQL queries (`query`, `where_clause`, a join, GROUP BY, a window function) runs through `dls run`, and
every table equals what Spark computes from the same input with the same SQL."""

from __future__ import annotations

import json

from conftest import as_text_rows, read_spark

ORDERS = """order_id,customer_id,amount,status,order_day
1,10,25.50,PAID,2026-01-01
2,10,4.50,PAID,2026-01-01
3,20,100.00,CANCELLED,2026-01-01
4,20,60.00,PAID,2026-01-02
5,30,15.25,PAID,2026-01-02
6,40,9.99,PAID,2026-01-03
7,,5.00,PAID,2026-01-03
"""
CUSTOMERS = """customer_id,name,country
10,Ann,DE
20,Bob,FR
30,Cy,DE
"""

SILVER_SELECT = ["order_id", "customer_id", "CAST(amount AS DECIMAL(10,2)) AS amount", "order_day",
                 "upper(status) AS status"]
SILVER_WHERE = ["status = 'PAID'", "customer_id IS NOT NULL"]
GOLD_QUERY = """
WITH joined AS (
  SELECT o.order_day, c.country, o.amount
  FROM orders_silver o JOIN main.shop.customers c ON o.customer_id = c.customer_id
)
SELECT country, order_day, sum(amount) AS revenue, count(*) AS orders,
       rank() OVER (PARTITION BY order_day ORDER BY sum(amount) DESC) AS day_rank
FROM joined
GROUP BY country, order_day
HAVING sum(amount) > 10
"""


def test_query_datasets_give_sparks_rows(spark, run_dls, warehouse, write_file):
    landing = warehouse.parent / "landing"
    write_file(landing / "orders" / "o.csv", ORDERS)
    write_file(landing / "customers" / "c.csv", CUSTOMERS)
    csv = {"header": "true"}
    entities = [
        {"entity_id": "orders", "group": "main.shop", "source": str(landing / "orders"),
         "source_format": "csv", "read_options": csv, "is_streaming": False,
         "source_schema": "order_id INT, customer_id INT, amount STRING, status STRING, order_day DATE",
         "destination": "orders_bronze"},
        {"entity_id": "customers", "group": "main.shop", "source": str(landing / "customers"),
         "source_format": "csv", "read_options": csv, "is_streaming": False,
         "source_schema": "customer_id INT, name STRING, country STRING",
         "destination": "customers"},
        {"entity_id": "orders_silver", "group": "main.shop", "destination": "orders_silver",
         "query": "SELECT * FROM orders_bronze", "select_expr": SILVER_SELECT,
         "where_clause": SILVER_WHERE},
        {"entity_id": "revenue", "group": "main.shop", "destination": "revenue_gold",
         "query": GOLD_QUERY},
    ]
    run_dls("store", "init")
    run_dls("upsert", "--json", json.dumps(entities))
    run_dls("run", "--group", "main.shop")

    # Spark: the same SQL over the same files.
    reader = spark.read.option("header", "true")
    reader.schema("order_id INT, customer_id INT, amount STRING, status STRING, order_day DATE").csv(
        str(landing / "orders")).createOrReplaceTempView("orders_bronze")
    spark.read.option("header", "true").schema("customer_id INT, name STRING, country STRING").csv(
        str(landing / "customers")).createOrReplaceTempView("customers")
    silver = spark.sql(
        f"SELECT * FROM (SELECT {', '.join(SILVER_SELECT)} FROM orders_bronze)"
        f" WHERE {' AND '.join(SILVER_WHERE)}")
    silver.createOrReplaceTempView("orders_silver")
    spark.sql("CREATE DATABASE IF NOT EXISTS shop")
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW customers_v AS SELECT * FROM customers")
    gold = spark.sql(GOLD_QUERY.replace("main.shop.customers", "customers_v"))

    shop = warehouse / "main" / "shop"
    assert as_text_rows(read_spark(spark, shop / "orders_silver").collect()) == as_text_rows(
        silver.collect())
    dls_gold = read_spark(spark, shop / "revenue_gold")
    assert as_text_rows(dls_gold.collect()) == as_text_rows(gold.collect())
    assert len(gold.collect()) == 3
    assert [f.name for f in dls_gold.schema.fields] == [f.name for f in gold.schema.fields]

    # Unchanged inputs: the materialized views are up to date and nothing is rewritten.
    before = json.loads(run_dls("table", "history", "main.shop.revenue_gold", "--format", "json").stdout)
    run_dls("run", "--group", "main.shop")
    after = json.loads(run_dls("table", "history", "main.shop.revenue_gold", "--format", "json").stdout)
    assert len(after) == len(before)
