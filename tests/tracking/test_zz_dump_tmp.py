import datetime as dt
from tests.tracking.test_word_report import *  # noqa
from tests.tracking.test_word_report import october  # noqa

def test_dump(october, jinxiang):
    open("/tmp/wr/out.docx","wb").write(monthly_report_docx(region=jinxiang, period_start=PERIOD, as_of=AS_OF))
